import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import { hasFusedKernel, POLY_NORM, polyNorm, polyReLU } from "../../src/activations/mod.ts";
import { UsageError } from "../../src/util/errors.ts";
import { maxRowError } from "../_f64.ts";
import { useBackend, withoutCpuKernel } from "../_backend_harness.ts";
import { polyNorm64 } from "./_f64.ts";

// The fused kernels behind these ops are tested in tests/kernels/polycom_test.ts.

const EPS = 1e-6;

Deno.test("polyNorm and polyReLU reject bad inputs with a UsageError", async () => {
  await useBackend("cpu");
  const x = tf.ones([2, 4]);
  const a = tf.tensor1d([0, 1, 1]);
  assert.throws(() => polyNorm(x, tf.tensor1d([1])), UsageError);
  assert.throws(() => polyNorm(x, tf.zeros([10]) as tf.Tensor1D), UsageError);
  assert.throws(() => polyNorm(x, tf.zeros([2, 2]) as unknown as tf.Tensor1D), UsageError);
  assert.throws(() => polyNorm(x, a, 0), UsageError);
  assert.throws(() => polyNorm(x, a, Number.NaN), UsageError);
  assert.throws(() => polyNorm(x, a, 1e-31), UsageError);
  assert.throws(() => polyNorm(x, a, 1e11), UsageError);
  assert.throws(() => polyNorm(tf.ones([2, 4], "int32"), a), UsageError);
  assert.throws(() => polyReLU(tf.scalar(1), a), UsageError);
  tf.disposeVariables();
});

Deno.test("without a fused kernel for the backend, polyNorm falls back to the stock-op composition", async () => {
  await withoutCpuKernel(POLY_NORM, async () => {
    assert.equal(hasFusedKernel(POLY_NORM), false);
    const x = tf.tensor2d([[1, -2, 3], [0, 0, 0]]);
    const a = tf.tensor1d([0.5, 1, 1]);
    const profile = await tf.profile(() => polyNorm(x, a));
    assert.ok(!profile.kernels.some((k) => k.name === POLY_NORM));
    const want = polyNorm64([[1, -2, 3], [0, 0, 0]], [0.5, 1, 1], EPS).flat();
    assert.ok(maxRowError(await polyNorm(x, a).data(), want, 3) < 1e-5);
  });
  assert.equal(hasFusedKernel(POLY_NORM), true);
});
