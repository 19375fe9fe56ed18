import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import { FUSED_SWIGLU, FUSED_SWIGLU_GRAD, fusedSwiGLU, hasFusedSwiGLU } from "../../src/kernels/swiglu/mod.ts";
import { Rng } from "../../src/util/rng.ts";
import { assertFusedOnly, backendTest, WEBGPU } from "../_backend_harness.ts";
import { assertClose, countDispatches, valuesOn } from "./_webgpu.ts";

// Scalar and vec4 loads, a rank-3 input.
const SHAPES = [[7], [3, 5], [2, 8, 4]];

function inputs(shape: number[]): tf.Tensor[] {
  const rng = new Rng(29);
  const n = shape.reduce((a, b) => a * b, 1);
  return [3, 3, 1].map((spread) => tf.tensor(Float32Array.from({ length: n }, () => spread * rng.normal()), shape));
}

/** y, and the gradients of Σ w·y with respect to gate and up. */
function run(shape: number[], fused: boolean): tf.Tensor[] {
  const [g, u, w] = inputs(shape);
  const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fusedSwiGLU(a, b, { fused }), w));
  return [fusedSwiGLU(g, u, { fused }), ...tf.grads(f)([g, u])];
}

backendTest(
  "fused SwiGLU matches the unfused ops on webgpu and the cpu kernel, values and gradients",
  WEBGPU,
  async () => {
    assert.ok(hasFusedSwiGLU("webgpu"), `${FUSED_SWIGLU} not registered on webgpu`);
    for (const shape of SHAPES) {
      const cpu = await valuesOn("cpu", () => run(shape, true));
      const plain = await valuesOn("webgpu", () => run(shape, false));
      const got = await valuesOn("webgpu", () => run(shape, true));
      ["y", "dGate", "dUp"].forEach((name, i) => {
        assertClose(got[i], plain[i], 1e-6, `[${shape}] ${name} vs webgpu stock ops`);
        assertClose(got[i], cpu[i], 2e-6, `[${shape}] ${name} vs cpu fused`);
      });
    }
  },
);

backendTest("fused SwiGLU on webgpu: one dispatch a direction, no stock ops", WEBGPU, async () => {
  const [g, u, w] = inputs([3, 5]);
  const { result, dispatches } = countDispatches(() => fusedSwiGLU(g, u));
  assert.equal(dispatches, 1);
  assert.deepEqual(result.shape, [3, 5]);
  const backward = countDispatches(() => tf.engine().runKernel(FUSED_SWIGLU_GRAD, { dy: w, gate: g, up: u, s: w }, {}));
  assert.equal(backward.dispatches, 1);
  await assertFusedOnly(
    () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(fusedSwiGLU(a, b)))([g, u]),
    [FUSED_SWIGLU, FUSED_SWIGLU_GRAD],
    ["Sigmoid"],
    "fused SwiGLU",
  );
  tf.dispose([result, g, u, w, ...(backward.result as tf.Tensor[])]);
});

backendTest("fused SwiGLU on webgpu names inputs of two shapes", WEBGPU, () => {
  const [g, u] = [tf.zeros([4]), tf.zeros([5])];
  assert.throws(
    () => tf.engine().runKernel(FUSED_SWIGLU, { gate: g, up: u }, {}),
    /fused SwiGLU needs gate and up of one shape, got \[4\] and \[5\]/,
  );
  tf.dispose([g, u]);
  return Promise.resolve();
});
