import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import {
  FUSED_CROSS_ENTROPY,
  FUSED_CROSS_ENTROPY_GRAD,
  fusedCrossEntropyRows,
  fusedSoftmaxCrossEntropy,
  hasFusedCrossEntropy,
} from "../../src/kernels/cross_entropy/mod.ts";
import { softmaxCrossEntropy, softmaxCrossEntropyStock } from "../../src/model/_ops.ts";
import { UsageError } from "../../src/util/errors.ts";
import { Rng } from "../../src/util/rng.ts";
import { kernelsOfTrainingPass } from "../model/_helpers.ts";
import type { Rows } from "../_f64.ts";
import {
  assertFusedOnly,
  assertPipelinesBuilt,
  BACKENDS,
  backendTest,
  normalRows,
  useBackend,
  WEBGPU,
  webgpuWorkgroupTests,
  withoutCpuKernel,
} from "../_backend_harness.ts";
import { crossEntropy64, crossEntropyGrad64 } from "./_model_f64.ts";

/** Tolerances against float64: cpu computes in float64, wasm and webgpu in float32 (wasm measured ≤ 6e-8). */
const TOL: Record<string, number> = { cpu: 1e-6, wasm: 1e-6, webgpu: 1e-5 };

/** What the fused loss must agree with the stock-op composition to. */
const STOCK_TOL = 1e-5;

/**
 * Ordinary rows, rows shifted by ±1000 (the max must be subtracted), |x| ≈ 50,
 * a row of equal logits, and a row whose label holds the largest logit by far.
 */
function logitRows(rng: Rng, rows: number, v: number): { logits: Rows; labels: number[] } {
  const logits = normalRows(rng, rows, v, 3);
  logits.push(normalRows(rng, 1, v, 2)[0].map((x) => Math.fround(x + 1000)));
  logits.push(normalRows(rng, 1, v, 2)[0].map((x) => Math.fround(x - 1000)));
  logits.push(normalRows(rng, 1, v, 50)[0]);
  logits.push(new Array(v).fill(0.25));
  const labels = logits.map(() => rng.int(v));
  const peaked = normalRows(rng, 1, v)[0];
  const label = rng.int(v);
  peaked[label] = 12;
  logits.push(peaked);
  labels.push(label);
  return { logits, labels };
}

/** Loss error of each row relative to |loss| + max |logit| (the difference of two such numbers is taken). */
function lossError(got: ArrayLike<number>, want: number[], logits: Rows): number {
  return Math.max(
    ...want.map((w, i) => Math.abs(got[i] - w) / (Math.abs(w) + Math.max(...logits[i].map(Math.abs)))),
  );
}

/** dlogits error of each row relative to |g_i|, the bound of |g_i · (softmax − onehot)|. */
function gradError(got: ArrayLike<number>, want: Rows, g: number[]): number {
  const v = want[0].length;
  let worst = 0;
  want.forEach((row, i) =>
    row.forEach((w, j) => {
      const e = Math.abs(got[i * v + j] - w) / Math.max(Math.abs(g[i]), 1e-30);
      worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
    })
  );
  return worst;
}

/** Per-row losses and the gradient of Σ g ⊙ losses on the active backend; checks for leaks. */
async function evaluateRows(
  f: (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Tensor,
  logits: Rows,
  labels: number[],
  g: number[],
): Promise<{ loss: Float32Array; dlogits: Float32Array }> {
  const before = tf.memory().numTensors;
  const lt = tf.tensor2d(logits);
  const yt = tf.tensor1d(labels, "int32");
  const gt = tf.tensor1d(g);
  const [loss, dlogits] = tf.tidy(() => {
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D, yt), gt)))(lt);
    return [f(lt, yt), grad];
  });
  const out = { loss: (await loss.data()) as Float32Array, dlogits: (await dlogits.data()) as Float32Array };
  tf.dispose([lt, yt, gt, loss, dlogits]);
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  return out;
}

for (const backend of BACKENDS) {
  backendTest("softmaxCrossEntropy runs the fused kernel forward and backward, no stock ops", backend, async () => {
    assert.ok(hasFusedCrossEntropy(), `${FUSED_CROSS_ENTROPY} not registered on ${backend.name}`);
    const logits = tf.randomNormal([6, 10]);
    const labels = tf.tensor1d([0, 9, 3, 3, 1, 2], "int32");
    await assertFusedOnly(
      () => tf.grad((x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, labels as tf.Tensor1D))(logits),
      [FUSED_CROSS_ENTROPY, FUSED_CROSS_ENTROPY_GRAD],
      ["Exp", "Log", "ScatterNd", "GatherV2", "Max"],
      "the fused cross-entropy",
    );
    tf.dispose([logits, labels]);
  });

  // V = 37: scalar WGSL loads; 256: vec4, 32 threads a row on a GPU; 4100: 1025 vec4s, 64 threads a row.
  for (const v of [37, 256, 4100]) {
    backendTest(
      `fused cross-entropy V=${v}: losses and dlogits match float64 (|x| ≈ 50, ±1000 shifts)`,
      backend,
      async () => {
        const rng = new Rng(v);
        const { logits, labels } = logitRows(rng, 6, v);
        const g = logits.map(() => Math.fround(rng.normal()));
        const got = await evaluateRows((x, y) => fusedCrossEntropyRows(x, y), logits, labels, g);
        const errLoss = lossError(got.loss, crossEntropy64(logits, labels), logits);
        const errGrad = gradError(got.dlogits, crossEntropyGrad64(logits, labels, g), g);
        assert.ok(errLoss <= TOL[backend.name], `loss: error ${errLoss.toExponential(2)}`);
        assert.ok(errGrad <= TOL[backend.name], `dlogits: error ${errGrad.toExponential(2)}`);
      },
    );
  }

  backendTest(`fused mean cross-entropy is within ${STOCK_TOL} of the stock-op composition`, backend, async () => {
    const rng = new Rng(7);
    for (const v of [11, 256]) {
      const { logits, labels } = logitRows(rng, 40, v);
      const n = logits.length;
      // The mean is one value: its upstream gradient is [1].
      const fused = await evaluateRows((x, y) => fusedSoftmaxCrossEntropy(x, y), logits, labels, [1]);
      const stock = await evaluateRows((x, y) => softmaxCrossEntropyStock(x, y), logits, labels, [1]);
      const errLoss = Math.abs(fused.loss[0] - stock.loss[0]) / Math.abs(stock.loss[0]);
      // Each row's gradient is (softmax − onehot) / n, bounded by 1/n.
      const errGrad = gradError(fused.dlogits, stockRows(stock.dlogits, v), logits.map(() => 1 / n));
      assert.ok(errLoss <= STOCK_TOL, `V=${v} loss: ${fused.loss[0]} vs ${stock.loss[0]}`);
      assert.ok(errGrad <= STOCK_TOL, `V=${v} dlogits: error ${errGrad.toExponential(2)}`);
    }
  });

  backendTest("the model's loss runs the fused cross-entropy", backend, async () => {
    const ran = await kernelsOfTrainingPass();
    assert.equal(ran.filter((k) => k === FUSED_CROSS_ENTROPY).length, 1, `ran ${ran}`);
    assert.equal(ran.filter((k) => k === FUSED_CROSS_ENTROPY_GRAD).length, 1, `ran ${ran}`);
  });
}

function stockRows(flat: Float32Array, v: number): Rows {
  return Array.from({ length: flat.length / v }, (_, i) => Array.from(flat.subarray(i * v, (i + 1) * v)));
}

webgpuWorkgroupTests((threads) => `webgpu cross-entropy with ${threads} matches float64`, async (software) => {
  const rng = new Rng(software ? 61 : 63);
  for (const v of [256, 4100]) {
    const { logits, labels } = logitRows(rng, 3, v);
    const g = logits.map(() => Math.fround(rng.normal()));
    const got = await evaluateRows((x, y) => fusedCrossEntropyRows(x, y), logits, labels, g);
    assert.ok(lossError(got.loss, crossEntropy64(logits, labels), logits) <= TOL.webgpu, `V=${v} loss`);
    assert.ok(gradError(got.dlogits, crossEntropyGrad64(logits, labels, g), g) <= TOL.webgpu, `V=${v} grad`);
    const wg = software ? 8 : v === 256 ? 32 : 64;
    assertPipelinesBuilt(["fwd", "grad"].map((kernel) => `fused_xent_${kernel}_c4_wg${wg}_`));
  }
});

backendTest("webgpu cross-entropy over 70000 rows (more workgroups than one dispatch axis holds)", WEBGPU, async () => {
  const rng = new Rng(67);
  const logits = normalRows(rng, 70000, 8, 3);
  const labels = logits.map(() => rng.int(8));
  const g = logits.map(() => Math.fround(rng.normal()));
  const got = await evaluateRows((x, y) => fusedCrossEntropyRows(x, y), logits, labels, g);
  assert.ok(lossError(got.loss, crossEntropy64(logits, labels), logits) <= TOL.webgpu, "loss");
  assert.ok(gradError(got.dlogits, crossEntropyGrad64(logits, labels, g), g) <= TOL.webgpu, "dlogits");
});

Deno.test("fused cross-entropy rejects bad inputs with a UsageError", async () => {
  await useBackend("cpu");
  const logits = tf.zeros([2, 4]);
  assert.throws(() => fusedCrossEntropyRows(logits, tf.tensor1d([1, 2])), UsageError);
  assert.throws(() => fusedCrossEntropyRows(logits, tf.tensor1d([1], "int32")), UsageError);
  assert.throws(() => fusedCrossEntropyRows(tf.zeros([8]), tf.tensor1d([1], "int32")), UsageError);
});

Deno.test("without a fused kernel for the backend, softmaxCrossEntropy falls back to stock ops", async () => {
  await withoutCpuKernel(FUSED_CROSS_ENTROPY, async () => {
    assert.equal(hasFusedCrossEntropy(), false);
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 5]]) as tf.Tensor2D;
    const profile = await tf.profile(() => softmaxCrossEntropy(logits, new Int32Array([2, 0])));
    assert.ok(!profile.kernels.some((k) => k.name === FUSED_CROSS_ENTROPY));
    const want = crossEntropy64([[1, 2, 3], [0, 0, 5]], [2, 0]);
    const got = (await (profile.result as tf.Tensor).data())[0];
    assert.ok(Math.abs(got - (want[0] + want[1]) / 2) < 1e-6);
  });
  assert.equal(hasFusedCrossEntropy(), true);
});
