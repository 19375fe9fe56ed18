import assert from "node:assert/strict";
import { fitBudget, makespan } from "../../src/runner/budget.ts";
import type { PlannedRun } from "../../src/runner/plan.ts";
import { loadSuites } from "../../src/suite/load.ts";
import type { SeedRule } from "../../src/runner/seed_choice.ts";

const code = { commit: "test", dirty: false, sourceHash: "test" };

/** A machine doing about 1e11 training FLOP/s (a rough 6·N·T with N ≈ 12·L·d²). */
const estimate = (run: PlannedRun) =>
  Promise.resolve(
    run.config.train.steps * run.config.train.tokensPerStep * 6 * (run.config.model.hidden_size ** 2) *
      run.config.model.num_hidden_layers * 12 / 1e11,
  );

Deno.test("makespan schedules runs in order on the free slot", () => {
  assert.equal(makespan([10, 10, 10], 2), 20);
  assert.equal(makespan([10, 10, 10], 1), 30);
  assert.equal(makespan([30, 10, 10, 10], 2), 30);
});

Deno.test("the budget picks the largest rung whose core fits, then fills in activations by priority", async () => {
  const suites = [...await loadSuites("dense"), ...await loadSuites("moe")];
  const small = await fitBudget(suites, { budgetSeconds: () => 60, jobs: 2, resultsDir: "r", code, estimate });
  const large = await fitBudget(suites, { budgetSeconds: () => 3600, jobs: 2, resultsDir: "r", code, estimate });
  const rungIndex = (plan: typeof small) => Object.keys(suites[0].suite.scales).indexOf(plan.rungs.get("dense")!);
  assert.ok(rungIndex(large) > rungIndex(small), `${large.rungs.get("dense")} vs ${small.rungs.get("dense")}`);
  for (const plan of [small, large]) {
    assert.ok(plan.makespanSeconds <= (plan === small ? 60 : 3600));
    const dense = plan.runs.filter((r) => r.run.config.suite === "dense");
    // The headline pair, at the suite's minimum of six paired seeds without a pilot, comes first.
    assert.deepEqual(dense.slice(0, 12).map((r) => r.run.config.activation).sort(), [
      ...Array(6).fill("polynorm"),
      ...Array(6).fill("swiglu"),
    ]);
    assert.deepEqual([...new Set(dense.map((r) => r.run.config.seed))], [0, 1, 2, 3, 4, 5]);
    assert.equal(plan.seedChoices.get("dense")?.chosen, 6);
    assert.match(plan.seedChoices.get("dense")!.reason, /minimum/);
    // An activation beyond the core is planned with two seeds or not at all.
    for (const activation of ["polyrelu", "gelu", "relu", "relu2"]) {
      const n = dense.filter((r) => r.run.config.activation === activation).length;
      assert.ok(n === 0 || n >= 2, `${activation}: ${n} seeds`);
    }
    // What was left out is what a longer budget adds, and all of it is there.
    const planned = plan.runs.length + plan.leftOut.length;
    assert.ok(planned >= 6 * 6 + 2 * 3 || plan.rungs.get("moe") === null);
  }
  // A budget too small for anything leaves everything out, and says so.
  const none = await fitBudget(suites, { budgetSeconds: () => 0.001, jobs: 1, resultsDir: "r", code, estimate });
  assert.equal(none.runs.length, 0);
  assert.equal(none.rungs.get("dense"), null);
  assert.ok(none.leftOut.length >= 6);
});

/** A seed rule with the judge's shape: a fixed table from SD to seeds, so the test reads it at a glance. */
const rule: SeedRule = {
  name: "test rule",
  sd: (v) => Math.sqrt(v.reduce((s, x) => s + (x - v.reduce((a, b) => a + b) / v.length) ** 2, 0) / (v.length - 1)),
  level: () => 0.96,
  seedsFor: (_effect, sd) => sd < 0.01 ? 4 : sd < 0.02 ? 9 : Infinity,
};

Deno.test("the headline's seeds follow the pilot's SD, between the suite's minimum and the cap", async () => {
  const suites = await loadSuites("dense");
  const plan = (sd: number | null, budget = 1e6) =>
    fitBudget(suites, {
      budgetSeconds: () => budget,
      jobs: 2,
      resultsDir: "r",
      code,
      estimate,
      rule,
      pilot: (_l, _r, runs) => {
        // The pilot is the headline's first three seeds of both activations.
        assert.deepEqual(runs.map((r) => `${r.config.activation}${r.config.seed}`).sort(), [
          "polynorm0",
          "polynorm1",
          "polynorm2",
          "swiglu0",
          "swiglu1",
          "swiglu2",
        ]);
        return Promise.resolve(sd === null ? null : { sd, n: 3 });
      },
      pinned: new Map([["dense", "860k"]]),
    });
  const headline = async (sd: number | null, budget?: number) => (await plan(sd, budget)).seedChoices.get("dense")!;
  assert.equal((await headline(null)).chosen, 6); // no pilot yet: the minimum
  assert.equal((await headline(0.005)).chosen, 6); // the rule asks for 4: the minimum holds
  assert.equal((await headline(0.015)).chosen, 9);
  const wide = await headline(0.05);
  assert.deepEqual([wide.chosen, wide.cap, wide.target], [12, 12, 1000]); // beyond any count: the maximum
  assert.equal(wide.pilotSd, 0.05);
  // The budget caps it: runs of equal estimates on 2 jobs, and time for 8 paired seeds.
  const run = (await plan(0.015)).runs[0].seconds;
  const capped = await headline(0.015, run * 8 + 1e-6);
  assert.deepEqual([capped.chosen, capped.cap], [8, 8]);
  assert.match(capped.reason, /budget fits 8/);
});

Deno.test("a rung whose lower bound does not fit is never probed", async () => {
  const suites = await loadSuites("dense");
  const probed = new Set<string>();
  const spy = (run: PlannedRun) => {
    probed.add(run.config.scale);
    return estimate(run);
  };
  const budget = { budgetSeconds: () => 600, jobs: 2, resultsDir: "r", code };
  const without = await fitBudget(suites, { ...budget, estimate: spy });
  const rungs = Object.keys(suites[0].suite.scales);
  const next = rungs[rungs.indexOf(without.rungs.get("dense")!) + 1];
  assert.ok(probed.has(next), "without a bound, the first rung that does not fit is probed to find out");
  probed.clear();
  const bound = async (run: PlannedRun) => (await estimate(run)) * 0.9;
  const withBound = await fitBudget(suites, { ...budget, estimate: spy, lowerBound: bound });
  assert.equal(withBound.rungs.get("dense"), without.rungs.get("dense"));
  assert.ok(!probed.has(next), [...probed].join(", "));
});
