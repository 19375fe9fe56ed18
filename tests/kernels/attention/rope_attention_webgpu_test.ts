import assert from "node:assert/strict";
import { tf } from "../../../src/backend/mod.ts";
import {
  FUSED_ROPE_ATTENTION,
  FUSED_ROPE_ATTENTION_GRAD,
  ropeAttention,
  type RopeAttentionShape,
} from "../../../src/kernels/attention/mod.ts";
import { Rng } from "../../../src/util/rng.ts";
import { backendTest, WEBGPU, webgpuWorkgroupTests } from "../../_backend_harness.ts";
import { assertClose, countDispatches, valuesOn } from "../_webgpu.ts";

/** A call's shape and head dim. */
type Case = [RopeAttentionShape, number];

const CASES: Case[] = [
  // Grouped-query heads (2 query heads a key/value head), a partial last tile, a long position.
  [{ batch: 2, seqLen: 37, heads: 4, kvHeads: 2, ropeTheta: 10000 }, 6],
  // Plain multi-head, a head dim that lanes do not divide on a GPU.
  [{ batch: 1, seqLen: 128, heads: 3, kvHeads: 3, ropeTheta: 500000 }, 10],
  // One key/value head for all.
  [{ batch: 1, seqLen: 20, heads: 4, kvHeads: 1, ropeTheta: 10000 }, 8],
];

/** q, k, v and the context's weights, normal(0, 1), seeded by the shape. */
function arrays([shape, hd]: Case): Float32Array[] {
  const rng = new Rng(shape.batch * 1000 + shape.seqLen * 10 + shape.kvHeads);
  const rows = shape.batch * shape.seqLen;
  const sizes = [shape.heads, shape.kvHeads, shape.kvHeads, shape.heads].map((h) => rows * h * hd);
  return sizes.map((n) => Float32Array.from({ length: n }, () => rng.normal()));
}

/** The context and dq, dk, dv on the active backend. */
function run(c: Case, data: Float32Array[]): tf.Tensor[] {
  const [shape, hd] = c;
  const rows = shape.batch * shape.seqLen;
  const [q, k, v, w] = data.map((a, i) =>
    tf.tensor2d(a, [rows, (i === 1 || i === 2 ? shape.kvHeads : shape.heads) * hd])
  );
  const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(tf.mul(ropeAttention(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, shape), w));
  return [ropeAttention(q, k, v, shape), ...tf.grads(f)([q, k, v])];
}

webgpuWorkgroupTests(
  (threads) =>
    `rope attention on webgpu matches the cpu ops (RoPE, transposes, repeated heads), values and gradients (${threads})`,
  async () => {
    for (const c of CASES) {
      const data = arrays(c);
      const cpu = await valuesOn("cpu", () => run(c, data));
      const got = await valuesOn("webgpu", () => run(c, data));
      ["context", "dq", "dk", "dv"].forEach((name, i) => {
        assertClose(got[i], cpu[i], 2e-5, `${JSON.stringify(c)} ${name}`);
      });
    }
  },
);

backendTest("rope attention on webgpu: one dispatch forward, three backward", WEBGPU, async () => {
  const c: Case = [{ batch: 2, seqLen: 64, heads: 4, kvHeads: 2, ropeTheta: 10000 }, 8];
  const [shape] = c;
  const data = arrays(c);
  const rows = shape.batch * shape.seqLen;
  const [q, k, v, w] = data.map((a, i) => tf.tensor2d(a, [rows, (i === 1 || i === 2 ? 2 : 4) * 8]));
  const attrs = { batch: 2, seqLen: 64, heads: 4, kvHeads: 2, theta: 10000, scale: 1 / Math.sqrt(8) };
  const fwd = countDispatches(() => tf.engine().runKernel(FUSED_ROPE_ATTENTION, { q, k, v }, attrs));
  assert.equal(fwd.dispatches, 1);
  const [out, lse] = fwd.result as tf.Tensor[];
  assert.deepEqual(lse.shape, [rows * 4]);
  // Each row's logsumexp is at least its largest score, finite.
  assert.ok((await lse.data()).every(Number.isFinite));
  const bwd = countDispatches(() =>
    tf.engine().runKernel(FUSED_ROPE_ATTENTION_GRAD, { dy: w, q, k, v, out, lse }, attrs)
  );
  assert.equal(bwd.dispatches, 3);
  tf.dispose([q, k, v, w, out, lse, ...(bwd.result as tf.Tensor[])]);
});
