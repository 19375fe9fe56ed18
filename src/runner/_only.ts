/**
 * The child-process side of `--jobs N`: `reproduce --only suite/runId`
 * plans the one suite at the forced rung, finds the run by its id, and runs
 * it in this process. No estimates, no plan record: the parent made both.
 */
import type { BackendInfo } from "../backend/mod.ts";
import type { CodeVersion, Scale } from "../results/schema.ts";
import type { LoadedSuite } from "../suite/load.ts";
import { UsageError } from "../util/errors.ts";
import type { PlanSummary } from "./planner.ts";
import { type PlannedRun, planRuns } from "./plan.ts";
import type { RunOutcome } from "./run.ts";
import { type RecipeSetting, SUITE_RECIPE } from "../results/recipe.ts";

/** Which run a child process runs (`reproduce --only suite/runId`). */
export interface OnlyRun {
  suite: string;
  runId: string;
  estimatedSeconds?: number;
}

/** What the child needs from the parent's call. */
export interface OnlyContext {
  suites: LoadedSuite[];
  forced: Map<string, Scale[]>;
  seeds?: number[];
  /** Recipe sweep settings the run may be at, beside the suite's own recipe. */
  settings?: RecipeSetting[];
  resultsDir: string;
  code: CodeVersion;
  env: BackendInfo;
  threads: number;
  run: (run: PlannedRun) => Promise<RunOutcome>;
}

/**
 * Runs the one run named by `only`; a run id not in the plan (code or suite changed since the parent planned) is a
 * UsageError.
 *
 * @example
 * ```ts
 * declare const ctx: OnlyContext;
 * declare const runId: string;
 * const { plan, outcome } = await reproduceOnly({ suite: "dense", runId }, ctx);
 * ```
 */
export async function reproduceOnly(
  only: OnlyRun,
  ctx: OnlyContext,
): Promise<{ plan: PlanSummary; run: PlannedRun; outcome: RunOutcome }> {
  const all: PlannedRun[] = [];
  for (const setting of [SUITE_RECIPE, ...(ctx.settings ?? [])]) {
    all.push(
      ...await planRuns(ctx.suites.filter((s) => s.suite.name === only.suite), {
        choose: (s) => ({ rungs: ctx.forced.get(s.name)!, seeds: ctx.seeds, setting }),
        resultsDir: ctx.resultsDir,
        code: ctx.code,
      }),
    );
  }
  const run = all.find((r) => r.runId === only.runId);
  if (!run) throw new UsageError(`run ${only.runId} is not in the plan of ${only.suite} (code or suite changed?)`);
  run.estimatedSeconds = only.estimatedSeconds ?? null;
  const plan: PlanSummary = {
    env: ctx.env,
    all,
    runs: [run],
    leftOut: [],
    budgetSeconds: null,
    jobs: 1,
    threadsPerJob: ctx.threads,
    makespanSeconds: null,
    estimateBasis: null,
    seedChoices: new Map(),
    pilot: null,
    sweep: null,
  };
  return { plan, run, outcome: await ctx.run(run) };
}
