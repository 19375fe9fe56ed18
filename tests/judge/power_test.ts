/**
 * Power against reference values computed once with mpmath 1.3.0 at 30 digits (/work/venv/bin/python; scipy and
 * statsmodels are not installed): the noncentral t tail by adaptive quadrature of E[Φ(ncp − t·S)] and the t
 * quantile by root finding on the regularised incomplete beta. They agree with the textbook paired-t values
 * (Cohen: d = 0.5 needs 34 pairs for 80% power at two-sided 5%; d = 1 with 10 pairs gives 80.3%).
 */
import assert from "node:assert/strict";
import {
  minimumDetectableEffect,
  noncentralTSf,
  normalCdf,
  pairedPower,
  seedsToDetect,
} from "../../src/judge/power.ts";

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);

Deno.test("normal CDF at known points", () => {
  close(normalCdf(0), 0.5, 1e-15, "Φ(0)");
  close(normalCdf(1.959963984540054), 0.975, 1e-13, "Φ(1.96)");
  close(normalCdf(-3), 0.0013498980316301, 1e-15, "Φ(−3)");
  close(normalCdf(5), 0.9999997133484281, 1e-15, "Φ(5)");
  close(normalCdf(-8), 6.22096057427178e-16, 1e-20, "Φ(−8)");
});

Deno.test("noncentral t upper tail matches mpmath", () => {
  const cases: Array<[number, number, number, number]> = [
    [2.2621571628, 9, Math.sqrt(10), 0.803096208689939],
    [1.0, 1, 2.0, 0.848886553084377],
    [2.0, 2, 0.5, 0.17577757202744],
    [-1.0, 4, 1.0, 0.967226704667972],
    [2.5, 29, 3.0, 0.690109191837013],
    [1.97, 200, 2.8, 0.796294749078542],
  ];
  for (const [t, df, ncp, expected] of cases) close(noncentralTSf(t, df, ncp), expected, 1e-9, `t=${t} df=${df}`);
});

Deno.test("power, minimum detectable effect and seeds needed: textbook paired-t values", () => {
  close(pairedPower(1, 1, 10), 0.803096208690404, 1e-8, "d=1 n=10");
  close(pairedPower(0.5, 1, 34), 0.807776685514976, 1e-8, "d=0.5 n=34");
  close(pairedPower(-0.5, 1, 33), 0.79536482443334, 1e-8, "d=-0.5 n=33 (sign does not matter)");
  close(pairedPower(2, 1, 3), 0.470747706192943, 1e-8, "d=2 n=3");
  close(pairedPower(0.03, 0.1, 5), 0.0760664463019392, 1e-8, "d=0.3 n=5, scaled");
  assert.equal(seedsToDetect(0.5, 1), 34);
  assert.equal(seedsToDetect(1, 1), 10);
  assert.equal(seedsToDetect(0.05, 0.1), seedsToDetect(0.5, 1), "only effect/sd matters");
  assert.equal(seedsToDetect(1e-6, 1), Infinity);
  assert.ok(Number.isNaN(seedsToDetect(0.1, 0)));
  // The MDE is where the power reaches 80%, and scales with sd.
  const mde = minimumDetectableEffect(1, 10);
  close(pairedPower(mde, 1, 10), 0.8, 1e-8, "power at the MDE");
  assert.ok(mde < 1 && mde > 0.95, String(mde));
  close(minimumDetectableEffect(0.02, 10), 0.02 * mde, 1e-9, "MDE scales with sd");
  assert.ok(Number.isNaN(minimumDetectableEffect(1, 1)));
  // Issue 14's example: a 0.055 nats seed-to-seed spread cannot see the paper's 0.019 gap with three seeds.
  assert.ok(pairedPower(0.019, 0.055, 3) < 0.1);
  assert.ok(seedsToDetect(0.019, 0.055) > 60);
});

Deno.test("reports read power off the fixture: seeds proposed from the observed paired SD", async () => {
  const { writeFixtureSuite } = await import("../report/_fixtures.ts");
  const { loadRuns } = await import("../../src/results/io.ts");
  const { proposeSeeds } = await import("../../src/judge/propose.ts");
  const { evaluateClaims } = await import("../../src/judge/evaluate.ts");
  const { selectRuns } = await import("../../src/judge/select.ts");
  const { sampleSd } = await import("../../src/judge/stats.ts");
  const root = await Deno.makeTempDir();
  try {
    await writeFixtureSuite({ root, effects: { swiglu: 0, polynorm: -0.004 }, seeds: [0, 1, 2], runNoise: 0.01 });
    const runs = await loadRuns(root);
    const gap = evaluateClaims(selectRuns(runs)).find((r) => r.claim.id === "dense.train_loss_gap")!;
    const c = gap.comparisons.find((x) => x.key === "polynorm-vs-swiglu")!;
    // The power uses the comparison's own paired SD and the paper's published gap (-0.019).
    close(c.power.sd, sampleSd(c.pairs.map((p) => p.d)), 1e-15, "paired SD");
    assert.equal(c.power.paperEffect, -0.019);
    close(c.power.mde, minimumDetectableEffect(c.power.sd, 3), 1e-15, "MDE");
    assert.equal(c.power.seedsForPaper, seedsToDetect(0.019, c.power.sd));
    // An inconclusive comparison names the seeds that would decide it: those the paper's effect needs, more than 3.
    if (c.verdict === "inconclusive") {
      assert.deepEqual(c.power.decide, { seeds: Math.max(4, seedsToDetect(0.019, c.power.sd)), basis: "paper" });
    } else assert.equal(c.power.decide, null);
    const proposal = proposeSeeds(runs).find((p) => p.claim === "dense.train_loss_gap" && p.comparison === c.key)!;
    assert.equal(proposal.seeds, c.power.seedsForPaper);
    assert.equal(proposal.n, 3);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
