import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { causalMask } from "../../src/model/attention.ts";
import { rmsNorm } from "../../src/model/rmsnorm.ts";
import { applyRope, ropeTables, rotateHalf } from "../../src/model/rope.ts";
import { softmaxCrossEntropy } from "../../src/model/_ops.ts";

await initBackend("cpu");

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

Deno.test("rotate_half is [-x2, x1] (Hugging Face convention, not interleaved pairs)", async () => {
  assert.deepEqual(Array.from(await rotateHalf(tf.tensor1d([1, 2, 3, 4])).data()), [-3, -4, 1, 2]);
});

Deno.test("RoPE matches a hand-computed case (head_dim 4, theta 10000)", async () => {
  // inv_freq = [1, 10000^(-2/4)] = [1, 0.01]; the frequencies repeat for both halves.
  const x = tf.tensor4d([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4], [1, 3, 1, 4]);
  const got = await applyRope(x, 10000).data();
  const expected: number[] = [];
  for (const p of [0, 1, 2]) {
    const [a, b] = [p, 0.01 * p];
    expected.push(
      1 * Math.cos(a) - 3 * Math.sin(a),
      2 * Math.cos(b) - 4 * Math.sin(b),
      3 * Math.cos(a) + 1 * Math.sin(a),
      4 * Math.cos(b) + 2 * Math.sin(b),
    );
  }
  close(got, expected, 1e-6);
});

Deno.test("RoPE tables use float32 frequencies and stay accurate at long positions", () => {
  const { cos, sin } = ropeTables(4096, 128, 10000);
  const p = 4095;
  // Column 0: frequency 1; column 64 repeats it.
  assert.ok(Math.abs(cos[p * 128] - Math.cos(p)) < 1e-6);
  assert.equal(cos[p * 128], cos[p * 128 + 64]);
  assert.equal(sin[p * 128 + 3], sin[p * 128 + 67]);
});

Deno.test("RMSNorm matches a hand-computed case", async () => {
  // x = [3, 4]: mean(x²) = 12.5; y = x / sqrt(12.5 + eps) · w.
  const y = await rmsNorm(tf.tensor2d([[3, 4]]), tf.tensor1d([1, 2]), 1e-5).data();
  const r = 1 / Math.sqrt(12.5 + 1e-5);
  close(y, [3 * r, 8 * r]);
});

Deno.test("causal mask blocks only future positions", async () => {
  const m = await causalMask(3).array();
  assert.deepEqual(m.map((row) => row.map((v) => (v === 0 ? 0 : v < -1e8 ? -1 : NaN))), [[0, -1, -1], [0, 0, -1], [
    0,
    0,
    0,
  ]]);
});

Deno.test("softmax cross-entropy and its gradient match the closed form", async () => {
  const logits = tf.tensor2d([[1, 2, 3], [0, 0, 5]]) as tf.Tensor2D;
  const targets = new Int32Array([2, 0]);
  const lse = (v: number[]) => Math.log(v.reduce((a, x) => a + Math.exp(x), 0));
  const expected = ((lse([1, 2, 3]) - 3) + (lse([0, 0, 5]) - 0)) / 2;
  close(await softmaxCrossEntropy(logits, targets).data(), [expected], 1e-6);
  const g = await tf.grad((x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, targets))(logits).data();
  const soft = (v: number[]) => v.map((x) => Math.exp(x - lse(v)));
  const s0 = soft([1, 2, 3]);
  const s1 = soft([0, 0, 5]);
  close(g, [s0[0] / 2, s0[1] / 2, (s0[2] - 1) / 2, (s1[0] - 1) / 2, s1[1] / 2, s1[2] / 2], 1e-6);
});
