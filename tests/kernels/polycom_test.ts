import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import {
  hasFusedKernel,
  POLY_NORM,
  POLY_NORM_GRAD,
  POLY_RELU,
  POLY_RELU_GRAD,
  polyNorm,
  polyNormReference,
  polyReLU,
  polyReLUReference,
} from "../../src/activations/mod.ts";
import { type EmscriptenModuleLike, polycomSimdFor } from "../../src/kernels/polycom/kernel.ts";
import { Rng } from "../../src/util/rng.ts";
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
  webgpuWorkgroupTests,
} from "../_backend_harness.ts";
import { polyNorm64, polyNormGrad64, polyReLU64, polyReLUGrad64 } from "../activations/_f64.ts";

const EPS = 1e-6;

type Tol = { y: number; dx: number; da: number };

/** Row-relative tolerances: cpu and wasm compute in float64, webgpu in float32. */
const TOL: Record<string, Tol> = {
  cpu: { y: 1e-6, dx: 1e-5, da: 1e-6 },
  wasm: { y: 1e-6, dx: 1e-5, da: 1e-6 },
  webgpu: { y: 2e-5, dx: 2e-4, da: 2e-5 },
};

function coefficients(rng: Rng, order: number): number[] {
  return Array.from({ length: order + 1 }, () => rng.normal() * 0.5);
}

const abs = (rows: Rows) => rows.map((r) => r.map(Math.abs));

/** |got_i − want_i| ≤ tol · scale_i for the coefficient gradient. */
function assertDa(got: Float32Array, want: number[], scale: number[], tol: number, what: string) {
  want.forEach((w, i) => {
    const err = Math.abs(got[i] - w) / Math.max(scale[i], 1e-30);
    assert.ok(err <= tol, `${what}: da[${i}] = ${got[i]}, want ${w} (scaled error ${err.toExponential(2)})`);
  });
}

function assertRows(got: Float32Array, want: Rows, tol: number, what: string) {
  const err = maxRowError(got, want.flat(), want[0].length);
  assert.ok(err <= tol, `${what}: row-relative error ${err.toExponential(2)} > ${tol}`);
}

/** The backend's polyNorm y, dx and da against the float64 closed forms. */
function assertPolyNorm64(got: Evaluated, x: Rows, a: number[], w: Rows, tol: Tol, what: string) {
  const want = polyNormGrad64(x, a, EPS, w);
  assertRows(got.y, polyNorm64(x, a, EPS), tol.y, `${what} y`);
  assertRows(got.dx, want.dx, tol.dx, `${what} dx`);
  assertDa(got.dp, want.da, polyNormGrad64(abs(x), a, EPS, abs(w)).da, tol.da, what);
}

/** The backend's polyReLU y, dx and da against the float64 closed forms. */
function assertPolyReLU64(got: Evaluated, x: Rows, a: number[], w: Rows, tol: Tol, what: string) {
  const want = polyReLUGrad64(x, a, w);
  assertRows(got.y, polyReLU64(x, a), tol.y, `${what} y`);
  assertRows(got.dx, want.dx, tol.dx, `${what} dx`);
  assertDa(got.dp, want.da, polyReLUGrad64(x, a, abs(w)).da, tol.da, what);
}

Deno.test("float64 closed-form gradients agree with finite differences", () => {
  const rng = new Rng(11);
  for (const order of [1, 2, 3, 4]) {
    const x = mixedRows(rng, 9);
    const a = coefficients(rng, order);
    const w = normalRows(rng, x.length, 9);
    const closed = polyNormGrad64(x, a, EPS, w);
    const fd = finiteDifferences((xs, as) => polyNorm64(xs, as, EPS), x, a, w);
    assert.ok(maxRowError(closed.dx.flat(), fd.dx.flat(), 9) < 1e-5, `PolyNorm dx, r = ${order}`);
    assert.ok(maxRowError(closed.da, fd.dp, closed.da.length) < 1e-6, `PolyNorm da, r = ${order}`);
    const reluX = normalRows(rng, 4, 9, 2);
    const relu = polyReLUGrad64(reluX, a, w.slice(0, 4));
    const reluFd = finiteDifferences((xs, as) => polyReLU64(xs, as), reluX, a, w.slice(0, 4));
    assert.ok(maxRowError(relu.dx.flat(), reluFd.dx.flat(), 9) < 1e-5, `PolyReLU dx, r = ${order}`);
    assert.ok(maxRowError(relu.da, reluFd.dp, relu.da.length) < 1e-6, `PolyReLU da, r = ${order}`);
  }
});

for (const backend of BACKENDS) {
  const tol = TOL[backend.name];

  backendTest("polyNorm and polyReLU run their fused kernels forward and backward, no stock ops", backend, async () => {
    const x = tf.randomNormal([4, 8]);
    const a = tf.tensor1d([0, 1 / 3, 1 / 3, 1 / 3]);
    for (
      const [op, forward, backward] of [[polyNorm, POLY_NORM, POLY_NORM_GRAD], [
        polyReLU,
        POLY_RELU,
        POLY_RELU_GRAD,
      ]] as const
    ) {
      assert.ok(hasFusedKernel(forward), `${forward} not registered on ${backend.name}`);
      // The stock-op compositions run these; the fused path must not.
      await assertFusedOnly(
        () => tf.grads((xs: tf.Tensor, as: tf.Tensor) => op(xs, as as tf.Tensor1D))([x, a]),
        [forward, backward],
        ["Rsqrt", "Relu", "Square", "Mean", "Pow", "Step"],
        op.name,
      );
    }
    tf.dispose([x, a]);
  });

  for (const order of [1, 2, 3, 4, 6]) {
    // n = 37 is odd (scalar WGSL loads, an odd SIMD tail); n = 64 takes the vec4 / even paths.
    for (const n of [37, 64]) {
      backendTest(`polyNorm r=${order} n=${n}: forward, dx and da match float64 closed forms`, backend, async () => {
        const rng = new Rng(100 * order + n);
        const x = mixedRows(rng, n);
        const a = coefficients(rng, order);
        const w = normalRows(rng, x.length, n);
        const got = await evaluate((xs, as) => polyNorm(xs, as), x, a, w);
        assertPolyNorm64(got, x, a, w, tol, "polyNorm");
      });
    }
  }

  backendTest("polyNorm on 3-D [batch, seq, hidden] input normalises the last axis", backend, async () => {
    const rng = new Rng(5);
    const x = normalRows(rng, 6, 40, 3); // [2, 3, 40] as 6 rows of 40
    const a = coefficients(rng, 3);
    const w = normalRows(rng, 6, 40);
    const got = await evaluate((xs, as) => polyNorm(xs, as), x, a, w, [2, 3, 40]);
    assertPolyNorm64(got, x, a, w, tol, "polyNorm 3-D");
  });

  backendTest("polyNorm of an all-zero row is a0 with finite gradients", backend, async () => {
    const n = 16;
    const x = [new Array(n).fill(0)];
    const a = [0.25, 0.5, -0.75, 1];
    const w = [Array.from({ length: n }, (_, j) => j - 7.5)];
    const got = await evaluate((xs, as) => polyNorm(xs, as), x, a, w);
    assert.ok(got.y.every((v) => v === Math.fround(0.25)));
    // d/dx of a1·x/sqrt(mean(x²) + eps) at 0 is a1/sqrt(eps); higher orders vanish.
    got.dx.forEach((v, j) => assert.ok(Math.abs(v - (0.5 * w[0][j]) / Math.sqrt(EPS)) <= 1e-5 * 1e3 * 8));
    assert.deepEqual(Array.from(got.dp), [0, 0, 0, 0]);
  });

  backendTest("polyNorm stays exact for |x| up to 1e5, where x^8 overflows float32", backend, async () => {
    const rng = new Rng(9);
    const x = [50, 1e3, 1e5].map((scale) => normalRows(rng, 1, 32, scale)[0]);
    const a = coefficients(rng, 4);
    const w = normalRows(rng, 3, 32);
    const got = await evaluate((xs, as) => polyNorm(xs, as), x, a, w);
    assert.ok(got.y.every(Number.isFinite) && got.dx.every(Number.isFinite) && got.dp.every(Number.isFinite));
    assertPolyNorm64(got, x, a, w, tol, "large");
  });

  backendTest(
    "polyNorm of rows near float32's limit (|x| ≈ 1e38) matches the scale-invariant reference",
    backend,
    async () => {
      // x^8 overflows even float64 here, so the kernels must take their scaled path. N is
      // scale-invariant up to eps: with x = c·z, N(x^i) = N(z^i) at eps / c^2i ≈ 0, and dx = dz / c.
      const rng = new Rng(13);
      const c = 1e37;
      const z = normalRows(rng, 3, 40, 3);
      const x = z.map((row) => row.map((v) => v * c));
      const a = coefficients(rng, 4);
      const w = normalRows(rng, 3, 40);
      const got = await evaluate((xs, as) => polyNorm(xs, as), x, a, w);
      const want = polyNormGrad64(z, a, 0, w);
      assertRows(got.y, polyNorm64(z, a, 0), tol.y, "y");
      assertRows(got.dx, want.dx.map((row) => row.map((v) => v / c)), tol.dx, "dx");
      assertDa(got.dp, want.da, polyNormGrad64(abs(z), a, 0, abs(w)).da, tol.da, "huge");
    },
  );

  backendTest("fused polyNorm and polyReLU agree with the stock-op references", backend, async () => {
    const rng = new Rng(21);
    for (const order of [2, 3, 4]) {
      // Ordinary rows plus the zero row, |x| ≈ 50, tiny, spike and constant rows.
      const x = [...normalRows(rng, 4, 48, 2), ...mixedRows(rng, 48)];
      const a = coefficients(rng, order);
      const w = normalRows(rng, x.length, 48);
      for (const [fused, reference] of [[polyNorm, polyNormReference], [polyReLU, polyReLUReference]] as const) {
        const got = await evaluate((xs, as) => fused(xs, as), x, a, w);
        const ref = await evaluate((xs, as) => reference(xs, as), x, a, w);
        const what = `${fused.name} r=${order}`;
        assert.ok(maxRowError(got.y, ref.y, 48) < 1e-4, `${what} y`);
        assert.ok(maxRowError(got.dx, ref.dx, 48) < 1e-3, `${what} dx`);
        assert.ok(maxRowError(got.dp, ref.dp, order + 1) < 1e-4, `${what} da`);
      }
    }
  });

  backendTest("fused dx and da match float64 finite differences of the forward (r = 2, 4)", backend, async () => {
    // Finite differences check the kernels without going through the closed-form gradients.
    const rng = new Rng(41);
    const fdTol = Math.max(tol.dx, 2e-5);
    for (const order of [2, 4]) {
      const mixed = mixedRows(rng, 7);
      const a = coefficients(rng, order);
      // PolyReLU has a kink at 0, where finite differences see half the slope; its rows skip exact zeros.
      const cases = [
        { name: "polyNorm", op: polyNorm, f64: (xs: Rows, as: number[]) => polyNorm64(xs, as, EPS), x: mixed },
        { name: "polyReLU", op: polyReLU, f64: polyReLU64, x: mixed.filter((row) => !row.includes(0)) },
      ];
      for (const { name, op, f64, x } of cases) {
        const w = normalRows(rng, x.length, 7);
        const got = await evaluate((xs, as) => op(xs, as), x, a, w);
        // Row by row, so the large rows' rounding does not swamp the small rows' differences.
        const perRow = x.map((row, k) => finiteDifferences(f64, [row], a, [w[k]]));
        const fd = { dx: perRow.map((p) => p.dx[0]), da: a.map((_, i) => perRow.reduce((t, p) => t + p.dp[i], 0)) };
        const what = `${name} r=${order}`;
        assert.ok(maxRowError(got.dx, fd.dx.flat(), 7) <= fdTol, `${what} dx vs finite differences`);
        // L is linear in a, so da's scale is Σ |w| · |term| (for PolyNorm, |x^i| = |x|^i).
        const scale = finiteDifferences(f64, name === "polyNorm" ? abs(x) : x, a, abs(w)).dp;
        assertDa(got.dp, fd.da, scale, fdTol, what);
      }
    }
  });

  backendTest("polyNorm and polyReLU on wide rows (n = 2052: 64-thread rows, several da blocks)", backend, async () => {
    const rng = new Rng(43);
    const n = 2052;
    const x = mixedRows(rng, n);
    const a = coefficients(rng, 3);
    const w = normalRows(rng, x.length, n);
    const norm = await evaluate((xs, as) => polyNorm(xs, as), x, a, w);
    assertPolyNorm64(norm, x, a, w, tol, "polyNorm wide");
    const relu = await evaluate((xs, as) => polyReLU(xs, as), x, a, w);
    assertPolyReLU64(relu, x, a, w, tol, "polyReLU wide");
  });

  for (const order of [1, 2, 3, 4, 6]) {
    backendTest(`polyReLU r=${order}: forward, dx and da match float64 closed forms`, backend, async () => {
      const rng = new Rng(7 + order);
      const x = normalRows(rng, 9, 37, 1.5);
      x[2].fill(0); // relu'(0) = 0
      x[3] = x[3].map((v) => 30 * v);
      const a = coefficients(rng, order);
      const w = normalRows(rng, 9, 37);
      const got = await evaluate((xs, as) => polyReLU(xs, as), x, a, w, [3, 3, 37]);
      assertPolyReLU64(got, x, a, w, tol, "polyReLU");
    });
  }

  backendTest("coefficient gradients reach a tf.Variable through an optimizer", backend, async () => {
    const rng = new Rng(31);
    const x = normalRows(rng, 8, 24);
    const w = normalRows(rng, 8, 24);
    const start = [0.1, 0.2, 0.3, 0.4];
    for (
      const [op, grad] of [
        [polyNorm, (a: number[]) => polyNormGrad64(x, a, EPS, w).da],
        [polyReLU, (a: number[]) => polyReLUGrad64(x, a, w).da],
      ] as const
    ) {
      const a = tf.variable(tf.tensor1d(start));
      const xt = tf.tensor2d(x);
      const wt = tf.tensor2d(w);
      const optimizer = tf.train.sgd(0.01);
      optimizer.minimize(() => tf.sum(tf.mul(op(xt, a), wt)) as tf.Scalar);
      const got = await a.data();
      const da = grad(start);
      start.forEach((v, i) => {
        const want = v - 0.01 * da[i];
        assert.ok(Math.abs(got[i] - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${op.name} a[${i}]`);
      });
      optimizer.dispose();
      tf.dispose([a, xt, wt]);
    }
  });
}

webgpuWorkgroupTests((threads) => `webgpu kernels with ${threads} match float64 closed forms`, async (software) => {
  const rng = new Rng(software ? 51 : 53);
  // n = 64 is 16 vec4 loads a row (32 GPU threads), n = 2052 is 513 (64 GPU threads).
  for (const [n, order] of [[64, 2], [2052, 4]]) {
    const x = mixedRows(rng, n);
    const a = coefficients(rng, order);
    const w = normalRows(rng, x.length, n);
    const norm = await evaluate((xs, as) => polyNorm(xs, as), x, a, w);
    assertPolyNorm64(norm, x, a, w, TOL.webgpu, `polyNorm n=${n} r=${order}`);
    const relu = await evaluate((xs, as) => polyReLU(xs, as), x, a, w);
    const reluWant = polyReLUGrad64(x, a, w);
    assertRows(relu.dx, reluWant.dx, TOL.webgpu.dx, `polyReLU n=${n} dx`);
    assertDa(relu.dp, reluWant.da, polyReLUGrad64(x, a, abs(w)).da, TOL.webgpu.da, `polyReLU n=${n}`);
    const wg = software ? 8 : n === 64 ? 32 : 64;
    assertPipelinesBuilt(["fwd", "stats", "dx"].map((kernel) => `polynorm_${kernel}_r${order}_c4_wg${wg}`));
  }
});

Deno.test("the wasm kernels run in the SIMD module bound to the tfjs heap", async () => {
  await useBackend("wasm");
  const backend = tf.backend() as unknown as { wasm: EmscriptenModuleLike };
  assert.notEqual(polycomSimdFor(backend.wasm), null);
});
