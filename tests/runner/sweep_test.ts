import assert from "node:assert/strict";
import { join } from "node:path";
import { RUN_SCHEMA, type RunRecord } from "../../src/results/mod.ts";
import { writeJsonl, writeRunRecord } from "../../src/results/io.ts";
import { type PlannedRun, planRuns, resolveConfig, runIdOf } from "../../src/runner/plan.ts";
import { type PlanContext, type PlanSummary, withSweep } from "../../src/runner/planner.ts";
import { planSweep, sweepSettings } from "../../src/runner/sweep.ts";
import { loadSuites } from "../../src/suite/load.ts";

const code = { commit: "test", dirty: false, sourceHash: "test" };
const request = { lr: [0.5, 1, 2], init: [0.35, 1] };

Deno.test("a setting scales the peak and floor learning rates and the init std, and enters the run id", async () => {
  const [{ suite }] = await loadSuites("dense");
  const own = resolveConfig(suite, "120k", "polynorm", 0);
  const same = resolveConfig(suite, "120k", "polynorm", 0, { lr: 1, init: 1 });
  const swept = resolveConfig(suite, "120k", "polynorm", 0, { lr: 2, init: 0.35 });
  assert.equal(own.recipe, undefined);
  assert.equal(await runIdOf(same, code), await runIdOf(own, code), "the suite's own recipe keeps its run ids");
  assert.deepEqual(swept.recipe, { lr: 2, init: 0.35 });
  assert.equal(swept.optimizer.lrPeak, 2 * own.optimizer.lrPeak);
  assert.equal(swept.optimizer.lrMin, 2 * own.optimizer.lrMin);
  assert.equal(swept.model.initializer_range, 0.35 * own.model.initializer_range);
  assert.equal(swept.optimizer.initStd, swept.model.initializer_range);
  assert.notEqual(await runIdOf(swept, code), await runIdOf(own, code));
});

Deno.test("the flags' multipliers replace the suite's; a suite's own sweep is used without flags", async () => {
  const [{ suite }] = await loadSuites("dense");
  assert.equal(sweepSettings(suite, {}), null);
  assert.equal(sweepSettings(suite, request)!.length, 6);
  assert.deepEqual(sweepSettings({ ...suite, lrSweep: [0.5, 1] }, {}), [{ lr: 0.5, init: 1 }, { lr: 1, init: 1 }]);
  assert.deepEqual(sweepSettings({ ...suite, lrSweep: [0.5, 1] }, { lr: [3] }), [{ lr: 3, init: 1 }]);
});

async function finish(run: PlannedRun, valLoss: number): Promise<void> {
  const c = run.config;
  const record = {
    schema: RUN_SCHEMA,
    runId: run.runId,
    suite: c.suite,
    experiment: c.experiment,
    scale: c.scale,
    activation: c.activation,
    seed: c.seed,
    config: c as unknown as Record<string, unknown>,
    code,
    env: {},
    counts: { total: 1, active: 1, embedding: 0, nonEmbedding: 1, flopsPerToken: 1 },
    status: "finished",
    divergedAtStep: null,
    error: null,
    progress: { step: 1, tokens: 1, totalSteps: 1, totalTokens: 1 },
    timings: {
      startedAt: "x",
      updatedAt: "x",
      finishedAt: "x",
      trainSeconds: 1,
      evalSeconds: 0,
      tokensPerSecond: 1,
      resumes: 0,
    },
  } satisfies RunRecord;
  await writeRunRecord(run.dir, record);
  const source = { loss: valLoss, ppl: Math.exp(valLoss), bitsPerByte: null, accuracy: 0, tokens: 1 };
  await writeJsonl(join(run.dir, "eval.jsonl"), [{ step: 1, tokens: 1, sources: { brown: source }, tasks: {} }]);
}

Deno.test("the sweep plan: pilots first, then each arm's seeds at its best setting once its pilots have ended", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sweep-plan-" });
  try {
    const suites = await loadSuites("dense");
    const base = await planRuns(suites, {
      choose: () => ({ rungs: ["120k"], seeds: [0, 1, 2], activations: ["polynorm", "swiglu"] }),
      resultsDir: dir,
      code,
    });
    const options = { request, resultsDir: dir, code, estimate: () => Promise.resolve(60) };
    const before = (await planSweep(suites, base, options))!;
    assert.equal(before.arms.length, 2);
    for (const arm of before.arms) {
      assert.equal(arm.pilots.length, 6);
      assert.ok(arm.pilots.every((r) => r.config.seed === 0));
      assert.equal(arm.choice, null);
      assert.equal(arm.pending, 2, "seeds 1 and 2 wait for the choice");
    }
    assert.equal(before.runs.length, 10, "the suite's own recipe at seed 0 is already planned");
    assert.deepEqual(before.pendingSeconds, [60, 60, 60, 60]);
    // The plan's expected wall time counts the pending runs; a budget that cannot hold them leaves the sweep out.
    const plan = {
      all: base,
      runs: base,
      leftOut: [],
      budgetSeconds: null,
      estimateBasis: "test",
      seedChoices: new Map(),
      pilot: null,
    };
    base.forEach((r) => (r.estimatedSeconds = 60));
    const ctx = { jobs: 2 } as PlanContext;
    const fitted = withSweep(ctx, plan as unknown as PlanSummary, before, null);
    assert.equal(fitted.runs.length, 16);
    assert.equal(fitted.makespanSeconds, (16 + 4) * 60 / 2);
    const cut = withSweep(ctx, plan as unknown as PlanSummary, before, 9 * 60);
    assert.equal(cut.sweep?.leftOut, true);
    assert.equal(cut.runs.length, 6);
    assert.equal(cut.leftOut.length, 10);

    // PolyNorm's pilots end, best at lr ×2, init ×0.35; SwiGLU's have not.
    const polynorm = before.arms.find((a) => a.activation === "polynorm")!;
    for (const run of polynorm.pilots) {
      await finish(run, 3 - run.config.optimizer.lrPeak * 100 + run.config.model.initializer_range);
    }
    const after = (await planSweep(suites, base, options))!;
    const chosen = after.arms.find((a) => a.activation === "polynorm")!;
    assert.deepEqual(chosen.choice?.setting, { lr: 2, init: 0.35 });
    assert.deepEqual(chosen.followUps.map((r) => r.config.seed), [0, 1, 2]);
    assert.ok(chosen.followUps.every((r) => r.config.recipe?.lr === 2 && r.config.recipe.init === 0.35));
    assert.equal(chosen.pending, 0);
    assert.equal(after.runs.length, 12, "10 pilots and PolyNorm's seeds 1 and 2 at its best");
    assert.deepEqual(after.pendingSeconds, [60, 60]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
