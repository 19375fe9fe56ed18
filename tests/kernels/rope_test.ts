import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import {
  FUSED_ROPE_HEADS,
  FUSED_ROPE_HEADS_GRAD,
  hasFusedRope,
  ropeHeads,
  ropeHeadsBackward,
  ropeHeadsForward,
  ropeTables,
} from "../../src/kernels/rope/mod.ts";
import type { RopeDims } from "../../src/kernels/rope/math.ts";
import { ropeHeadsTask, ropeSimdFits } from "../../src/kernels/rope/tasks.ts";
import { ROPE_SIMD } from "../../src/kernels/rope/_simd_module.ts";
import { STAGE_BLOCK_FLOATS } from "../../src/kernels/_wasm/staged.ts";
import { Rng } from "../../src/util/rng.ts";

const rng = new Rng(23);
const random = (shape: [number, number, number, number]): tf.Tensor4D =>
  tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

/** float64 RoPE of x [b, s, h, d] (float32 tables), out [b, h, s, d]. */
function reference(x: Float32Array, [b, s, h, d]: number[], theta: number): Float64Array {
  const { cos, sin } = ropeTables(s, d, theta);
  const half = d / 2;
  const y = new Float64Array(x.length);
  for (let bi = 0; bi < b; bi++) {
    for (let p = 0; p < s; p++) {
      for (let hi = 0; hi < h; hi++) {
        for (let e = 0; e < d; e++) {
          const xi = ((bi * s + p) * h + hi) * d;
          const rot = e < half ? -x[xi + e + half] : x[xi + e - half];
          y[((bi * h + hi) * s + p) * d + e] = x[xi + e] * cos[p * d + e] + rot * sin[p * d + e];
        }
      }
    }
  }
  return y;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`${backend}: fused RoPE + head transpose equals float64 and the unfused ops, values and gradients`, async () => {
    await initBackend(backend);
    assert.ok(hasFusedRope());
    const shapes: [number, number, number, number][] = [[2, 7, 3, 4], [1, 33, 2, 8], [1, 1, 1, 2], [2, 64, 4, 16]];
    for (const shape of shapes) {
      const [x, g] = [random(shape), random([shape[0], shape[2], shape[1], shape[3]])];
      const run = (fused: boolean) =>
        tf.tidy(() => {
          const f = (t: tf.Tensor) => tf.sum(tf.mul(ropeHeads(t as tf.Tensor4D, 500, { fused }), g));
          const { value, grad } = tf.valueAndGrad(f)(x);
          return [ropeHeads(x, 500, { fused }), value, grad];
        });
      const fused = run(true), plain = run(false);
      assert.deepEqual(fused[0].shape, [shape[0], shape[2], shape[1], shape[3]]);
      assertClose(await fused[0].data(), reference(await x.data() as Float32Array, shape, 500), 1e-6, `[${shape}] y`);
      const names = ["y", "loss", "dx"];
      for (let i = 0; i < fused.length; i++) {
        assertClose(await fused[i].data(), await plain[i].data(), i === 1 ? 1e-5 : 1e-6, `[${shape}] ${names[i]}`);
      }
      tf.dispose([...fused, ...plain, x, g]);
    }
  });

  Deno.test(`${backend}: RoPE is one kernel call forward and one backward`, async () => {
    await initBackend(backend);
    const x = random([1, 9, 2, 4]);
    const info = await tf.profile(() => {
      tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(ropeHeads(t as tf.Tensor4D, 10000)))(x));
    });
    const names = info.kernels.map((k) => k.name);
    assert.equal(names.filter((n) => n === FUSED_ROPE_HEADS).length, 1);
    assert.equal(names.filter((n) => n === FUSED_ROPE_HEADS_GRAD).length, 1);
    assert.ok(!names.includes("Transpose") && !names.includes("Concat"), names.join(","));
    tf.dispose(x);
  });
}

Deno.test("fused RoPE rejects an odd head dimension at the kernel", async () => {
  await initBackend("cpu");
  const x = random([1, 2, 1, 3]);
  assert.throws(() => tf.engine().runKernel(FUSED_ROPE_HEADS, { x }, { theta: 10000 }), /even last axis/);
  tf.dispose(x);
});

/** Indices where two arrays' floats differ as bits (NaN equal to NaN), and the first. */
function bitDiff(got: Float32Array, want: Float32Array): { count: number; first: number } {
  let count = 0, first = -1;
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) (count++, first < 0 && (first = i));
  return { count, first };
}

Deno.test("the heap task's SIMD pass gives the bits of the JavaScript loops, whole or cut into parts; headDim 6 falls back", () => {
  assert.ok(ROPE_SIMD.available, "wasm SIMD compiles here: the comparison would be JavaScript against itself");
  assert.ok(ropeSimdFits(8) && ropeSimdFits(64) && !ropeSimdFits(6) && !ropeSimdFits(4));
  const shapes: RopeDims[] = [
    [2, 7, 3, 8], // whole sequences, several to a block
    [3, 7, 3, 64],
    [2, 100, 3, 64], // sequences longer than a block: runs of positions, copied head by head
    [1, 1, 1, 8],
    [2, 5, 2, 6], // the fallback
  ];
  assert.ok(100 * 3 * 64 > STAGE_BLOCK_FLOATS, "a sequence of [2, 100, 3, 64] spans blocks");
  for (const dims of shapes) {
    const [batch, seq, heads, d] = dims;
    const n = batch * seq * heads * d;
    // Offsets not multiples of 4 floats: the heap side need not be aligned.
    const [from, to] = [3, 5 + n];
    const input = Float32Array.from({ length: to + n + 2 }, () => rng.normal());
    const tables = ropeTables(seq, d, 500);
    for (const forward of [true, false]) {
      const want = input.slice();
      (forward ? ropeHeadsForward : ropeHeadsBackward)(
        input.subarray(from, from + n),
        want.subarray(to, to + n),
        dims,
        tables,
      );
      for (const parts of [1, 2, 3]) {
        const heap = input.slice();
        const args = Float64Array.of(from, to, batch, seq, heads, d, 500, forward ? 1 : 0);
        for (let part = 0; part < parts; part++) ropeHeadsTask(heap, args, part, parts);
        const { count, first } = bitDiff(heap, want);
        assert.equal(
          count,
          0,
          `[${dims}] ${forward ? "forward" : "backward"}, ${parts} parts: first differs at ${first}`,
        );
      }
    }
  }
});

Deno.test("cpu (JavaScript loops) and wasm (SIMD) give the same bits, values and gradients", async () => {
  const shapes: RopeDims[] = [[2, 7, 3, 8], [1, 33, 3, 64], [3, 5, 2, 6]];
  const inputs = shapes.map((shape) => ({
    x: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    g: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
  }));
  const run = async (backend: "cpu" | "wasm") => {
    await initBackend(backend);
    return shapes.map((shape, i) =>
      tf.tidy(() => {
        const [b, s, h, d] = shape;
        const x = tf.tensor4d(inputs[i].x, shape), g = tf.tensor4d(inputs[i].g, [b, h, s, d]);
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(ropeHeads(t as tf.Tensor4D, 10000), g)))(x);
        return [ropeHeads(x, 10000).dataSync() as Float32Array, dx.dataSync() as Float32Array];
      })
    );
  };
  const cpu = await run("cpu"), wasm = await run("wasm");
  shapes.forEach((shape, i) => {
    for (const [j, what] of ["y", "dx"].entries()) {
      const { count, first } = bitDiff(wasm[i][j], cpu[i][j]);
      assert.equal(count, 0, `[${shape}] ${what}: first differs at ${first}`);
    }
  });
});
