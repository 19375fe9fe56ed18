import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { causalAttention, FUSED_CAUSAL_ATTENTION, hasFusedAttention } from "../../src/kernels/attention/mod.ts";
import { fastKernelsReady, installFastKernels } from "../../src/kernels/mod.ts";
import { Rng } from "../../src/util/rng.ts";

const rng = new Rng(17);
const random = (shape: readonly number[]): tf.Tensor4D =>
  tf.tensor4d(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape as [number, number, number, number],
  );

/** float64 causal attention of one [seq, d] head. */
function reference(q: Float32Array, k: Float32Array, v: Float32Array, seq: number, d: number, base: number) {
  const out = new Float64Array(seq * d);
  const scale = 1 / Math.sqrt(d);
  for (let i = 0; i < seq; i++) {
    const s: number[] = [];
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let e = 0; e < d; e++) dot += q[base + i * d + e] * k[base + j * d + e];
      s.push(dot * scale);
    }
    const max = Math.max(...s);
    const w = s.map((x) => Math.exp(x - max));
    const sum = w.reduce((a, b) => a + b, 0);
    for (let j = 0; j <= i; j++) {
      for (let e = 0; e < d; e++) out[i * d + e] += w[j] / sum * v[base + j * d + e];
    }
  }
  return out;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

/**
 * The kernels' paths: cpu; wasm with the native BLAS (one per-matrix heap task a direction where seq % 4 = 0, the
 * products and softmax apart otherwise); wasm with the wasm GEMM (always apart: the softmax heap tasks).
 */
const CONFIGS = [
  { backend: "cpu", gemm: "auto", label: "cpu" },
  { backend: "wasm", gemm: "auto", label: "wasm" },
  { backend: "wasm", gemm: "wasm", label: "wasm (wasm GEMM)" },
] as const;

for (const { backend, gemm, label } of CONFIGS) {
  Deno.test(`${label}: fused causal attention equals float64 and the unfused ops, values and gradients`, async () => {
    await initBackend(backend);
    if (gemm === "wasm") {
      installFastKernels({ gemm });
      await fastKernelsReady();
    }
    try {
      await compareShapes();
    } finally {
      if (gemm === "wasm") {
        installFastKernels();
        await fastKernelsReady();
      }
    }
  });
}

/** Shapes of every path: seq not a multiple of 4, one quad, one causal block, uneven and several blocks. */
const SHAPES: [number, number, number, number][] = [
  [2, 3, 7, 5],
  [1, 2, 33, 8],
  [1, 1, 1, 4],
  [2, 1, 4, 4],
  [2, 4, 64, 16],
  [1, 2, 100, 8],
  [1, 2, 128, 32],
  [1, 1, 192, 16],
];

/** Values against float64, values and gradients against the unfused ops, on the active backend. */
async function compareShapes() {
  assert.ok(hasFusedAttention());
  for (const [b, h, s, d] of SHAPES) {
    const [q, k, v, g] = [random([b, h, s, d]), random([b, h, s, d]), random([b, h, s, d]), random([b, h, s, d])];
    const [qv, kv, vv] = [await q.data(), await k.data(), await v.data()] as Float32Array[];
    const run = (fused: boolean) =>
      tf.tidy(() => {
        const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
          tf.sum(tf.mul(causalAttention(x as tf.Tensor4D, y as tf.Tensor4D, z as tf.Tensor4D, { fused }), g));
        const { value, grads } = tf.valueAndGrads(f)([q, k, v]);
        return [causalAttention(q, k, v, { fused }), value, ...grads];
      });
    const fused = run(true), plain = run(false);
    const y = await fused[0].data();
    for (let m = 0; m < b * h; m++) {
      const want = reference(qv, kv, vv, s, d, m * s * d);
      assertClose(y.subarray(m * s * d, (m + 1) * s * d), want, 2e-5, `[${b},${h},${s},${d}] out, head ${m}`);
    }
    const names = ["out", "loss", "dq", "dk", "dv"];
    for (let i = 0; i < fused.length; i++) {
      assertClose(await fused[i].data(), await plain[i].data(), 1e-4, `[${b},${h},${s},${d}] ${names[i]}`);
    }
    tf.dispose([...fused, ...plain, q, k, v, g]);
  }
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`${backend}: attention is one kernel call forward and one backward`, async () => {
    await initBackend(backend);
    const [q, k, v] = [random([1, 2, 9, 4]), random([1, 2, 9, 4]), random([1, 2, 9, 4])];
    const info = await tf.profile(() => {
      const grads = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
        tf.sum(causalAttention(x as tf.Tensor4D, y as tf.Tensor4D, z as tf.Tensor4D))
      )([q, k, v]);
      tf.dispose(grads);
    });
    const names = info.kernels.map((kk) => kk.name);
    assert.equal(names.filter((n) => n === FUSED_CAUSAL_ATTENTION).length, 1);
    assert.equal(names.filter((n) => n === `${FUSED_CAUSAL_ATTENTION}Grad`).length, 1);
    assert.ok(!names.includes("Softmax") && !names.includes("BatchMatMul"), names.join(","));
    tf.dispose([q, k, v]);
  });
}

Deno.test("causalAttention rejects q, k, v of different shapes", () => {
  const [q, k] = [random([1, 4, 8, 2]), random([1, 2, 8, 2])];
  assert.throws(() => causalAttention(q, k, k), /one \[batch, heads, seq, headDim\] shape/);
  tf.dispose([q, k]);
});
