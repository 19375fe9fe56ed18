import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import { FUSED_RESIDUAL_RMS_NORM, fusedResidualRmsNorm } from "../../src/kernels/rms_norm/mod.ts";
import { hasKernel } from "../../src/kernels/registry.ts";
import { addRmsNorm } from "../../src/model/rmsnorm.ts";
import { Rng } from "../../src/util/rng.ts";
import { backendTest, WEBGPU } from "../_backend_harness.ts";
import { assertClose, countDispatches, valuesOn } from "./_webgpu.ts";

const EPS = 1e-5;

/** h, a [rows, n], w [n], and the weights ps, py of the loss Σ ps·s + Σ py·y. */
function inputs(rows: number, n: number): tf.Tensor[] {
  const rng = new Rng(61);
  const t = (shape: number[], scale = 1, shift = 0) =>
    tf.tensor(Float32Array.from({ length: shape[0] * (shape[1] ?? 1) }, () => shift + scale * rng.normal()), shape);
  return [t([rows, n], 2), t([rows, n]), t([n], 0.2, 1), t([rows, n]), t([rows, n])];
}

/** s, y and the gradients with respect to h, a and w, with the sum in the loss (or only y). */
function run(rows: number, n: number, sumInLoss: boolean): tf.Tensor[] {
  const [h, a, w, ps, py] = inputs(rows, n);
  const loss = (hh: tf.Tensor, aa: tf.Tensor, ww: tf.Tensor) => {
    const [s, y] = addRmsNorm(hh as tf.Tensor2D, aa as tf.Tensor2D, ww as tf.Tensor1D, EPS);
    const yLoss = tf.sum(tf.mul(y, py));
    return sumInLoss ? tf.add(tf.sum(tf.mul(s, ps)), yLoss) : yLoss;
  };
  return [...addRmsNorm(h as tf.Tensor2D, a as tf.Tensor2D, w as tf.Tensor1D, EPS), ...tf.grads(loss)([h, a, w])];
}

backendTest(
  "residual add + RMSNorm on webgpu matches the add and the norm on cpu, values and gradients",
  WEBGPU,
  async () => {
    assert.ok(hasKernel(FUSED_RESIDUAL_RMS_NORM, "webgpu"));
    // Scalar and vec4 rows, more rows than a dw block.
    for (const [rows, n] of [[5, 37], [70, 64]]) {
      for (const sumInLoss of [true, false]) {
        const cpu = await valuesOn("cpu", () => run(rows, n, sumInLoss));
        const got = await valuesOn("webgpu", () => run(rows, n, sumInLoss));
        ["s", "y", "dh", "da", "dw"].forEach((name, i) =>
          assertClose(got[i], cpu[i], 2e-5, `${rows}×${n}${sumInLoss ? "" : " (y only)"}: ${name}`)
        );
      }
    }
  },
);

backendTest("residual add + RMSNorm on webgpu: one dispatch forward, two backward", WEBGPU, async () => {
  const [h, a, w, ps] = inputs(70, 64);
  const forward = countDispatches(() =>
    fusedResidualRmsNorm(h as tf.Tensor2D, a as tf.Tensor2D, w as tf.Tensor1D, EPS)
  );
  assert.equal(forward.dispatches, 1);
  const f = (hh: tf.Tensor, ww: tf.Tensor) =>
    tf.sum(tf.mul(fusedResidualRmsNorm(hh as tf.Tensor2D, a as tf.Tensor2D, ww as tf.Tensor1D, EPS)[1], ps));
  const grads = countDispatches(() => tf.grads(f)([h, w]));
  // forward 1, the loss's multiply and sum 2 and their gradient's fill and multiply 2, backward: ds and dw.
  assert.equal(grads.dispatches, 1 + 2 + 2 + 2);
  tf.dispose([...forward.result, ...grads.result, h, a, w, ps]);
  await Promise.resolve();
});
