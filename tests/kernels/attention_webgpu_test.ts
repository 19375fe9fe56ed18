import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import {
  causalAttention,
  FUSED_CAUSAL_ATTENTION,
  FUSED_CAUSAL_ATTENTION_GRAD,
  hasFusedAttention,
} from "../../src/kernels/attention/mod.ts";
import { Rng } from "../../src/util/rng.ts";
import { assertFusedOnly, backendTest, WEBGPU, webgpuWorkgroupTests } from "../_backend_harness.ts";
import { assertClose, countDispatches, valuesOn } from "./_webgpu.ts";

// [batch, heads, seq, headDim]: odd sizes, one position, a row longer than a workgroup.
const SHAPES: [number, number, number, number][] = [[2, 3, 7, 5], [1, 1, 1, 4], [1, 2, 70, 8]];

function tensors(shape: [number, number, number, number]): tf.Tensor4D[] {
  const rng = new Rng(17);
  const n = shape.reduce((a, b) => a * b, 1);
  return [0, 1, 2, 3].map(() => tf.tensor4d(Float32Array.from({ length: n }, () => rng.normal()), shape));
}

/** The output, and the gradients of Σ w·out with respect to q, k and v. */
function run(shape: [number, number, number, number], fused: boolean): tf.Tensor[] {
  const [q, k, v, w] = tensors(shape);
  const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(tf.mul(causalAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, { fused }), w));
  return [causalAttention(q, k, v, { fused }), ...tf.grads(f)([q, k, v])];
}

webgpuWorkgroupTests(
  (threads) => `fused attention matches the unfused ops on webgpu and the cpu kernel (${threads})`,
  async () => {
    assert.ok(hasFusedAttention("webgpu"), `${FUSED_CAUSAL_ATTENTION} not registered on webgpu`);
    for (const shape of SHAPES) {
      const cpu = await valuesOn("cpu", () => run(shape, true));
      const plain = await valuesOn("webgpu", () => run(shape, false));
      const got = await valuesOn("webgpu", () => run(shape, true));
      ["out", "dq", "dk", "dv"].forEach((name, i) => {
        assertClose(got[i], plain[i], 2e-5, `[${shape}] ${name} vs webgpu stock ops`);
        assertClose(got[i], cpu[i], 2e-5, `[${shape}] ${name} vs cpu fused`);
      });
    }
  },
);

backendTest(
  "fused attention on webgpu: three dispatches forward, five backward, no stock softmax",
  WEBGPU,
  async () => {
    const [q, k, v, w] = tensors([2, 3, 7, 5]);
    const scale = 1 / Math.sqrt(5);
    const fwd = countDispatches(() => tf.engine().runKernel(FUSED_CAUSAL_ATTENTION, { q, k, v }, { scale }));
    assert.equal(fwd.dispatches, 3);
    const [out, probs] = fwd.result as tf.Tensor[];
    assert.deepEqual(out.shape, [2, 3, 7, 5]);
    assert.deepEqual(probs.shape, [2, 3, 7, 7]);
    const bwd = countDispatches(() =>
      tf.engine().runKernel(FUSED_CAUSAL_ATTENTION_GRAD, { dy: w, q, k, v, probs }, { scale })
    );
    assert.equal(bwd.dispatches, 5);
    (bwd.result as tf.Tensor[]).forEach((t) => assert.deepEqual(t.shape, [2, 3, 7, 5]));
    await assertFusedOnly(
      () => tf.grads((a: tf.Tensor) => tf.sum(causalAttention(a as tf.Tensor4D, k, v)))([q]),
      [FUSED_CAUSAL_ATTENTION, FUSED_CAUSAL_ATTENTION_GRAD],
      ["Softmax", "Transpose", "Greater"],
      "fused attention",
    );
    tf.dispose([q, k, v, w, out, probs, ...(bwd.result as tf.Tensor[])]);
  },
);

backendTest("fused attention on webgpu names inputs of two shapes", WEBGPU, () => {
  const [q, k] = [tf.zeros([1, 1, 3, 4]), tf.zeros([1, 1, 4, 4])];
  assert.throws(
    () => tf.engine().runKernel(FUSED_CAUSAL_ATTENTION, { q, k, v: k }, { scale: 1 }),
    /fused attention needs q, k, v of one shape, got \[1,1,3,4\] and \[1,1,4,4\]/,
  );
  tf.dispose([q, k]);
  return Promise.resolve();
});
