import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import {
  FUSED_RESIDUAL_RMS_NORM,
  FUSED_RESIDUAL_RMS_NORM_GRAD,
  FUSED_RMS_NORM,
  FUSED_RMS_NORM_GRAD,
  fusedRmsNorm,
  hasFusedRmsNorm,
} from "../../src/kernels/rms_norm/mod.ts";
import { rmsNorm, rmsNormStock } from "../../src/model/rmsnorm.ts";
import { UsageError } from "../../src/util/errors.ts";
import { Rng } from "../../src/util/rng.ts";
import { kernelsOfTrainingPass } from "../model/_helpers.ts";
import { finiteDifferences, maxRowError, type Rows } from "../_f64.ts";
import {
  assertFusedOnly,
  assertPipelinesBuilt,
  BACKENDS,
  backendTest,
  evaluate,
  type Evaluated,
  mixedRows,
  normalRows,
  useBackend,
  WEBGPU,
  webgpuWorkgroupTests,
  withoutCpuKernel,
} from "../_backend_harness.ts";
import { maxScaledError, rmsNorm64, rmsNormGrad64 } from "./_model_f64.ts";

const EPS = 1e-5;

/** Row-relative tolerances against float64: cpu and wasm sum in float64, webgpu in float32. */
const TOL: Record<string, { y: number; dx: number; dw: number }> = {
  cpu: { y: 1e-6, dx: 2e-6, dw: 1e-6 },
  wasm: { y: 1e-6, dx: 2e-6, dw: 1e-6 },
  webgpu: { y: 5e-6, dx: 1e-5, dw: 5e-6 },
};

/** What the fused op must agree with the stock-op composition to (the bar). */
const STOCK_TOL = 1e-5;

const abs = (rows: Rows) => rows.map((r) => r.map(Math.abs));
const weights = (rng: Rng, n: number) => Array.from({ length: n }, () => Math.fround(1 + 0.5 * rng.normal()));

/** dw's scale: the same sums with every term made positive. */
const dwScale = (x: Rows, w: number[], g: Rows) => rmsNormGrad64(abs(x), w, EPS, abs(g)).dw;

function assertAgainst64(
  got: Evaluated,
  x: Rows,
  w: number[],
  g: Rows,
  tol: {
    y: number;
    dx: number;
    dw: number;
  },
  what: string,
) {
  const n = w.length;
  const want = rmsNormGrad64(x, w, EPS, g);
  const errY = maxRowError(got.y, rmsNorm64(x, w, EPS).flat(), n);
  const errDx = maxRowError(got.dx, want.dx.flat(), n);
  const errDw = maxScaledError(got.dp, want.dw, dwScale(x, w, g));
  assert.ok(errY <= tol.y, `${what} y: error ${errY.toExponential(2)} > ${tol.y}`);
  assert.ok(errDx <= tol.dx, `${what} dx: error ${errDx.toExponential(2)} > ${tol.dx}`);
  assert.ok(errDw <= tol.dw, `${what} dw: error ${errDw.toExponential(2)} > ${tol.dw}`);
}

Deno.test("float64 RMSNorm gradients agree with finite differences", () => {
  const rng = new Rng(3);
  const x = mixedRows(rng, 9);
  const w = weights(rng, 9);
  const g = normalRows(rng, x.length, 9);
  const closed = rmsNormGrad64(x, w, EPS, g);
  const fd = finiteDifferences((xs, ws) => rmsNorm64(xs, ws, EPS), x, w, g);
  assert.ok(maxRowError(closed.dx.flat(), fd.dx.flat(), 9) < 1e-5);
  assert.ok(maxRowError(closed.dw, fd.dp, 9) < 1e-6);
});

for (const backend of BACKENDS) {
  const tol = TOL[backend.name];

  backendTest("rmsNorm runs the fused kernel forward and backward, no stock ops", backend, async () => {
    assert.ok(hasFusedRmsNorm(), `${FUSED_RMS_NORM} not registered on ${backend.name}`);
    const x = tf.randomNormal([4, 8]);
    const w = tf.ones([8]);
    await assertFusedOnly(
      () => tf.grads((xs: tf.Tensor, ws: tf.Tensor) => rmsNorm(xs, ws, EPS))([x, w]),
      [FUSED_RMS_NORM, FUSED_RMS_NORM_GRAD],
      ["Rsqrt", "Square", "Mean", "Pow"],
      "the fused RMSNorm",
    );
    tf.dispose([x, w]);
  });

  // n = 37: scalar WGSL loads; 64: vec4 loads, 32 threads a row on a GPU; 2052: 513 vec4s, 64 threads a row.
  for (const n of [37, 64, 2052]) {
    backendTest(
      `fused rmsNorm n=${n}: y, dx and dw match float64 (zero row, |x| ≈ 50, tiny rows)`,
      backend,
      async () => {
        const rng = new Rng(n);
        const x = [...mixedRows(rng, n), ...normalRows(rng, 33, n)]; // 41 rows: two dw blocks on webgpu
        const w = weights(rng, n);
        const g = normalRows(rng, x.length, n);
        const got = await evaluate((xs, ws) => fusedRmsNorm(xs, ws, EPS), x, w, g);
        assertAgainst64(got, x, w, g, tol, `n=${n}`);
      },
    );
  }

  backendTest("fused rmsNorm of an all-zero row is 0 with dx = w·g/sqrt(eps) and no NaN", backend, async () => {
    const n = 16;
    const x = [new Array(n).fill(0)];
    const w = Array.from({ length: n }, (_, j) => 0.25 * (j + 1));
    const g = [Array.from({ length: n }, (_, j) => j - 7.5)];
    const got = await evaluate((xs, ws) => fusedRmsNorm(xs, ws, EPS), x, w, g);
    assert.ok(got.y.every((v) => v === 0));
    got.dx.forEach((v, j) => {
      const want = (w[j] * g[0][j]) / Math.sqrt(EPS);
      assert.ok(Math.abs(v - want) <= 1e-6 * Math.abs(want) + 1e-6, `dx[${j}] = ${v}, want ${want}`);
    });
    assert.deepEqual(Array.from(got.dp), new Array(n).fill(0));
  });

  backendTest("fused rmsNorm on 3-D [batch, seq, hidden] input normalises the last axis", backend, async () => {
    const rng = new Rng(5);
    const x = normalRows(rng, 6, 40, 3);
    const w = weights(rng, 40);
    const g = normalRows(rng, 6, 40);
    const got = await evaluate((xs, ws) => fusedRmsNorm(xs, ws, EPS), x, w, g, [2, 3, 40]);
    assertAgainst64(got, x, w, g, tol, "3-D");
  });

  backendTest(`fused rmsNorm is within ${STOCK_TOL} of the stock-op composition`, backend, async () => {
    const rng = new Rng(21);
    for (const n of [48, 130, 512]) {
      const x = [...normalRows(rng, 40, n, 2), ...mixedRows(rng, n)];
      const w = weights(rng, n);
      const g = normalRows(rng, x.length, n);
      const fused = await evaluate((xs, ws) => fusedRmsNorm(xs, ws, EPS), x, w, g);
      const stock = await evaluate((xs, ws) => rmsNormStock(xs, ws, EPS), x, w, g);
      const errY = maxRowError(fused.y, stock.y, n);
      const errDx = maxRowError(fused.dx, stock.dx, n);
      const errDw = maxScaledError(fused.dp, stock.dp, dwScale(x, w, g));
      assert.ok(errY <= STOCK_TOL, `n=${n} y: ${errY.toExponential(2)}`);
      assert.ok(errDx <= STOCK_TOL, `n=${n} dx: ${errDx.toExponential(2)}`);
      assert.ok(errDw <= STOCK_TOL, `n=${n} dw: ${errDw.toExponential(2)}`);
    }
  });

  backendTest("the model's loss and gradients run the fused RMSNorm", backend, async () => {
    const ran = await kernelsOfTrainingPass();
    // Two norms a layer (2 layers) and the final norm; on webgpu all but the first with the residual add before it.
    const residual = backend.name === "webgpu" ? 4 : 0;
    const count = (name: string) => ran.filter((k) => k === name).length;
    assert.equal(count(FUSED_RMS_NORM), 5 - residual, `ran ${ran}`);
    assert.equal(count(FUSED_RMS_NORM_GRAD), 5 - residual, `ran ${ran}`);
    assert.equal(count(FUSED_RESIDUAL_RMS_NORM), residual, `ran ${ran}`);
    assert.equal(count(FUSED_RESIDUAL_RMS_NORM_GRAD), residual, `ran ${ran}`);
    assert.ok(!ran.includes("Rsqrt"), "a stock RMSNorm ran");
  });
}

webgpuWorkgroupTests((threads) => `webgpu rmsNorm with ${threads} matches float64`, async (software) => {
  const rng = new Rng(software ? 51 : 53);
  for (const n of [64, 2052]) {
    const x = mixedRows(rng, n);
    const w = weights(rng, n);
    const g = normalRows(rng, x.length, n);
    const got = await evaluate((xs, ws) => fusedRmsNorm(xs, ws, EPS), x, w, g);
    assertAgainst64(got, x, w, g, TOL.webgpu, `n=${n}`);
    const wg = software ? 8 : n === 64 ? 32 : 64;
    assertPipelinesBuilt(["fwd", "stats"].map((kernel) => `fused_rmsnorm_${kernel}_c4_wg${wg}_`));
  }
});

backendTest("webgpu rmsNorm over 70000 rows (more workgroups than one dispatch axis holds)", WEBGPU, async () => {
  const rng = new Rng(57);
  const x = normalRows(rng, 70000, 4, 2);
  const w = weights(rng, 4);
  const g = normalRows(rng, x.length, 4);
  const got = await evaluate((xs, ws) => fusedRmsNorm(xs, ws, EPS), x, w, g);
  // dw sums 70000 rows in float32 partials: a looser bound than the per-row values.
  assertAgainst64(got, x, w, g, { ...TOL.webgpu, dw: 1e-5 }, "70000 rows");
});

Deno.test("fused rmsNorm rejects bad inputs with a UsageError", async () => {
  await useBackend("cpu");
  const x = tf.ones([2, 4]);
  assert.throws(() => fusedRmsNorm(x, tf.ones([3]), EPS), UsageError);
  assert.throws(() => fusedRmsNorm(x, tf.ones([2, 4]), EPS), UsageError);
  assert.throws(() => fusedRmsNorm(tf.ones([2, 4], "int32"), tf.ones([4]), EPS), UsageError);
  assert.throws(() => fusedRmsNorm(x, tf.ones([4]), Number.NaN), UsageError);
  assert.throws(() => fusedRmsNorm(x, tf.ones([4]), -1), UsageError);
  tf.disposeVariables();
});

Deno.test("without a fused kernel for the backend, rmsNorm falls back to the stock-op composition", async () => {
  await withoutCpuKernel(FUSED_RMS_NORM, async () => {
    assert.equal(hasFusedRmsNorm(), false);
    const x = tf.tensor2d([[3, 4], [0, 0]]);
    const w = tf.tensor1d([1, 2]);
    const profile = await tf.profile(() => rmsNorm(x, w, EPS));
    assert.ok(!profile.kernels.some((k) => k.name === FUSED_RMS_NORM));
    assert.ok(profile.kernels.some((k) => k.name === "Rsqrt"));
    const want = rmsNorm64([[3, 4], [0, 0]], [1, 2], EPS).flat();
    assert.ok(maxRowError(await (profile.result as tf.Tensor).data(), want, 2) < 1e-6);
  });
  assert.equal(hasFusedRmsNorm(), true);
});
