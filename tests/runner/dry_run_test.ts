import assert from "node:assert/strict";
import { join } from "node:path";
import type { BackendInfo } from "../../src/backend/mod.ts";
import { CHECKPOINT_FILES } from "../../src/model/mod.ts";
import { RUN_FILES } from "../../src/results/mod.ts";
import { formatPlan, runState } from "../../src/runner/dry_run.ts";
import { planSuite } from "../../src/runner/plan.ts";
import type { PlanSummary } from "../../src/runner/reproduce.ts";
import { loadSuites } from "../../src/suite/load.ts";

async function writeRun(dir: string, status: string, checkpoint: boolean): Promise<void> {
  await Deno.mkdir(join(dir, RUN_FILES.checkpoint), { recursive: true });
  await Deno.writeTextFile(join(dir, RUN_FILES.record), JSON.stringify({ status }));
  if (checkpoint) await Deno.writeTextFile(join(dir, RUN_FILES.checkpoint, CHECKPOINT_FILES.trainerState), "{}");
}

Deno.test("the plan lists each run's id and whether it is finished, partial (resumes) or new", async () => {
  const results = await Deno.makeTempDir({ prefix: "polycom-dry-run-test-" });
  try {
    const [loaded] = await loadSuites("smoke");
    const code = { commit: "x", dirty: false, sourceHash: "h" };
    const runs = (await planSuite(loaded, { rungs: ["smoke"] }, results, code)).slice(0, 5);
    await writeRun(runs[0].dir, "finished", true);
    await writeRun(runs[1].dir, "diverged", false);
    await writeRun(runs[2].dir, "running", true);
    await writeRun(runs[3].dir, "failed", false); // no checkpoint: trains from step 0
    assert.deepEqual(runs.map((r) => runState(r.dir)), ["finished", "finished", "partial", "new", "new"]);

    const env = { backend: "cpu", adapter: null, cpu: { model: "test cpu" } } as unknown as BackendInfo;
    const plan: PlanSummary = {
      env,
      all: runs,
      runs,
      leftOut: [],
      budgetSeconds: null,
      jobs: 1,
      threadsPerJob: 1,
      makespanSeconds: null,
      estimateBasis: null,
      seedChoices: new Map(),
      pilot: null,
      sweep: null,
    };
    const rows = formatPlan(plan).split("\n").filter((l) => l.startsWith("| smoke-"));
    assert.equal(rows.length, runs.length);
    for (const [i, state] of ["finished", "finished", "partial", "new", "new"].entries()) {
      const cells = rows[i].split("|").map((c) => c.trim());
      assert.deepEqual(cells.slice(-3, -1), [runs[i].runId, state], rows[i]);
    }
  } finally {
    await Deno.remove(results, { recursive: true });
  }
});
