import assert from "node:assert/strict";
import { fitBudget, makespan } from "../../src/runner/budget.ts";
import type { PlannedRun } from "../../src/runner/plan.ts";
import { loadSuites } from "../../src/suite/load.ts";

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
    // The headline pair, three seeds, comes first.
    assert.deepEqual(dense.slice(0, 6).map((r) => r.run.config.activation).sort(), [
      "polynorm",
      "polynorm",
      "polynorm",
      "swiglu",
      "swiglu",
      "swiglu",
    ]);
    assert.deepEqual([...new Set(dense.map((r) => r.run.config.seed))], [0, 1, 2]);
    // What was left out is what a longer budget adds, and all of it is there.
    const planned = plan.runs.length + plan.leftOut.length;
    assert.ok(planned >= 6 * 3 + 2 * 3 || plan.rungs.get("moe") === null);
  }
  // A budget too small for anything leaves everything out, and says so.
  const none = await fitBudget(suites, { budgetSeconds: () => 0.001, jobs: 1, resultsDir: "r", code, estimate });
  assert.equal(none.runs.length, 0);
  assert.equal(none.rungs.get("dense"), null);
  assert.ok(none.leftOut.length >= 6);
});
