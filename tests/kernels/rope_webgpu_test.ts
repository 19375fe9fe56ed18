import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import { FUSED_ROPE_HEADS, FUSED_ROPE_HEADS_GRAD, hasFusedRope, ropeHeads } from "../../src/kernels/rope/mod.ts";
import { Rng } from "../../src/util/rng.ts";
import { assertFusedOnly, backendTest, WEBGPU } from "../_backend_harness.ts";
import { assertClose, countDispatches, valuesOn } from "./_webgpu.ts";

// [batch, seq, heads, headDim]: heads ≠ seq so a swapped axis shows; a head of 2; a long position.
const SHAPES: [number, number, number, number][] = [[2, 5, 3, 8], [1, 3, 2, 2], [1, 40, 1, 6]];
const THETA = 10000;

function tensors(shape: [number, number, number, number]): tf.Tensor4D[] {
  const rng = new Rng(23);
  const n = shape.reduce((a, b) => a * b, 1);
  const [b, s, h, d] = shape;
  return [
    tf.tensor4d(Float32Array.from({ length: n }, () => rng.normal()), shape),
    tf.tensor4d(Float32Array.from({ length: n }, () => rng.normal()), [b, h, s, d]),
  ];
}

/** y, and the gradient of Σ w·y with respect to x. */
function run(shape: [number, number, number, number], fused: boolean): tf.Tensor[] {
  const [x, w] = tensors(shape);
  const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(ropeHeads(a as tf.Tensor4D, THETA, { fused }), w)))(x);
  return [ropeHeads(x, THETA, { fused }), dx];
}

backendTest(
  "fused RoPE matches the unfused ops on webgpu and the cpu kernel, values and gradients",
  WEBGPU,
  async () => {
    assert.ok(hasFusedRope("webgpu"), `${FUSED_ROPE_HEADS} not registered on webgpu`);
    for (const shape of SHAPES) {
      const cpu = await valuesOn("cpu", () => run(shape, true));
      const plain = await valuesOn("webgpu", () => run(shape, false));
      const got = await valuesOn("webgpu", () => run(shape, true));
      ["y", "dx"].forEach((name, i) => {
        assertClose(got[i], plain[i], 1e-6, `[${shape}] ${name} vs webgpu stock ops`);
        assertClose(got[i], cpu[i], 1e-6, `[${shape}] ${name} vs cpu fused`);
      });
    }
  },
);

backendTest("fused RoPE on webgpu: one dispatch a direction, the transposed shape, no stock ops", WEBGPU, async () => {
  const [x, w] = tensors([2, 5, 3, 8]);
  const { result, dispatches } = countDispatches(() => ropeHeads(x, THETA));
  assert.equal(dispatches, 1);
  assert.deepEqual(result.shape, [2, 3, 5, 8]);
  const back = countDispatches(() => tf.engine().runKernel(FUSED_ROPE_HEADS_GRAD, { dy: w }, { theta: THETA }));
  assert.equal(back.dispatches, 1);
  assert.deepEqual((back.result as tf.Tensor).shape, [2, 5, 3, 8]);
  await assertFusedOnly(
    () => tf.grad((a: tf.Tensor) => tf.sum(ropeHeads(a as tf.Tensor4D, THETA)))(x),
    [FUSED_ROPE_HEADS, FUSED_ROPE_HEADS_GRAD],
    ["SplitV", "Neg", "Concat", "Transpose"],
    "fused RoPE",
  );
  tf.dispose([x, w, result, back.result as tf.Tensor]);
});

backendTest("fused RoPE on webgpu names an odd head dimension", WEBGPU, () => {
  const x = tf.zeros([1, 2, 1, 3]);
  assert.throws(
    () => tf.engine().runKernel(FUSED_ROPE_HEADS, { x }, { theta: THETA }),
    /fused RoPE takes a rank-4 tensor with an even last axis, got \[1,2,1,3\]/,
  );
  x.dispose();
  return Promise.resolve();
});
