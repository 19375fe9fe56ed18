/** Bands and the comparison rule on hand-made numbers. */
import assert from "node:assert/strict";
import {
  type Baseline,
  BASELINE_SCHEMA,
  type BaselineRun,
  compareWithBaseline,
  formatGateMarkdown,
  measureBands,
} from "../../src/gate/mod.ts";

const run = (activation: string, seed: number, loss: number, acc: number): BaselineRun => ({
  activation,
  seed,
  metrics: { finalTrainLoss: loss, "taskAcc.mc4": acc },
});

const reference = [run("polynorm", 0, 2.0, 0.30), run("polynorm", 1, 2.2, 0.34), run("swiglu", 0, 2.1, 0.3)];

Deno.test("measureBands: max of 3 × drift, 2σ√(2/n) and the floor, per metric", () => {
  const repeat = [run("polynorm", 0, 2.0 + 1e-3, 0.30), run("swiglu", 0, 2.1 - 2e-3, 0.3)];
  const bands = measureBands(reference, [repeat]);
  const sigma = Math.sqrt(((2.0 - 2.1) ** 2 + (2.2 - 2.1) ** 2) / 1); // polynorm's sample σ; swiglu has one seed
  assert.ok(Math.abs(bands.finalTrainLoss.sameSeedDrift - 2e-3) < 1e-12);
  assert.ok(Math.abs(bands.finalTrainLoss.seedStd - sigma) < 1e-12);
  assert.ok(Math.abs(bands.finalTrainLoss.band - Math.max(6e-3, 2 * sigma * Math.sqrt(2 / 2))) < 1e-12);
  assert.equal(bands.finalTrainLoss.better, "lower");
  assert.equal(bands["taskAcc.mc4"].better, "higher");
  // No drift and no spread: the floor.
  const flat = measureBands([run("swiglu", 0, 1, 0.5)], [[run("swiglu", 0, 1, 0.5)]]);
  assert.equal(flat.finalTrainLoss.band, 1e-4);
});

function baselineOf(runs: BaselineRun[], verdicts: Record<string, string>): Baseline {
  return {
    schema: BASELINE_SCHEMA,
    suite: "gate",
    scale: "cpu",
    backend: "wasm",
    seeds: [0, 1],
    createdAt: "2026-12-01T00:00:00Z",
    code: { commit: "abc", dirty: false, sourceHash: "x" },
    runs,
    verdicts,
    bands: {
      finalTrainLoss: { band: 0.05, sameSeedDrift: 0, seedStd: 0.025, better: "lower" },
      "taskAcc.mc4": { band: 0.02, sameSeedDrift: 0, seedStd: 0.01, better: "higher" },
    },
    method: { rule: "r", driftRuns: [], floor: 1e-4 },
  };
}

Deno.test("compareWithBaseline: within band, worse, better, missing and flipped", () => {
  const baseline = baselineOf(reference, { a: "reproduced", b: "inconclusive" });
  const same = compareWithBaseline(baseline, reference, { a: "reproduced", b: "contradicted" });
  assert.equal(same.passed, true, "a claim that was not reproduced before may change freely");

  // Mean polynorm loss 2.1 → 2.16 is worse by 0.06 > 0.05; swiglu accuracy 0.3 → 0.35 is an improvement.
  const moved = [run("polynorm", 0, 2.06, 0.30), run("polynorm", 1, 2.26, 0.34), run("swiglu", 0, 2.1, 0.35)];
  const result = compareWithBaseline(baseline, moved, { a: "reproduced" });
  assert.equal(result.passed, false);
  const status = (a: string, m: string) => result.metrics.find((x) => x.activation === a && x.metric === m)!.status;
  assert.equal(status("polynorm", "finalTrainLoss"), "regressed");
  assert.equal(status("swiglu", "taskAcc.mc4"), "improved");
  assert.equal(status("swiglu", "finalTrainLoss"), "ok");
  assert.match(
    formatGateMarkdown(result),
    /\| polynorm \| finalTrainLoss \| 2\.1000 \| 2\.1600 \| \+0\.0600 \| ±0\.0500 \|/,
  );

  const lost = compareWithBaseline(baseline, reference.slice(0, 2), { a: "reproduced" });
  assert.deepEqual(lost.missingRuns, ["swiglu/0"]);
  assert.equal(lost.passed, false);

  const diverged = compareWithBaseline(baseline, [run("polynorm", 0, NaN, 0.3), ...reference.slice(1)], {
    a: "reproduced",
  });
  assert.equal(diverged.passed, false, "a NaN loss is a regression");

  const flipped = compareWithBaseline(baseline, reference, { a: "contradicted" });
  assert.equal(flipped.passed, false);
  assert.deepEqual(flipped.claims.filter((c) => c.regressed).map((c) => c.claim), ["a"]);
});
