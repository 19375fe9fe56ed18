import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import {
  FUSED_ROPE_HEADS,
  FUSED_ROPE_HEADS_GRAD,
  hasFusedRope,
  ropeHeads,
  ropeTables,
} from "../../src/kernels/rope/mod.ts";
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
