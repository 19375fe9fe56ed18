import assert from "node:assert/strict";
import { planRuns } from "../../src/runner/plan.ts";
import { checkActivations } from "../../src/runner/planner.ts";
import { loadSuites } from "../../src/suite/load.ts";
import { UsageError } from "../../src/util/errors.ts";

const code = { commit: "test", dirty: false, sourceHash: "test" };

Deno.test("--activations runs those arms of a suite under the suite's own run ids", async () => {
  const suites = [...await loadSuites("dense"), ...await loadSuites("moe")];
  const plan = (activations?: string[]) =>
    planRuns(suites, {
      choose: (s) => ({ rungs: [s.name === "moe" ? "92k" : "120k"], seeds: [0, 1], activations }),
      resultsDir: "r",
      code,
    });
  const all = await plan();
  const two = await plan(["swiglu", "polynorm"]);
  assert.equal(two.length, 2 * 2 * 2); // two suites × two seeds × two arms
  const ids = new Set(all.map((r) => r.runId));
  for (const run of two) assert.ok(ids.has(run.runId), `${run.config.suite}/${run.config.activation}: ${run.runId}`);
  checkActivations(suites, ["polynorm", "swiglu"]);
  assert.throws(
    () => checkActivations(suites, ["polynorm", "gelu"]),
    (e: unknown) => e instanceof UsageError && /suite 'moe' has no activation 'gelu'/.test(e.message),
  );
});
