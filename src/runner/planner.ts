/**
 * The planner of `reproduce`: forced rungs (every suite's chosen rungs ×
 * seeds × activations), or a budget plan (see budget.ts) with the headline's
 * seeds chosen from its pilot, and the plan records written beside the
 * results. It decides what to train; reproduce.ts trains it.
 * @module
 */
import type { BackendInfo } from "../backend/mod.ts";
import type { CodeVersion, Scale } from "../results/schema.ts";
import { readRunRecord } from "../results/io.ts";
import { type PlanRecord, type SeedChoice, writePlan } from "../results/plan.ts";
import type { LoadedSuite } from "../suite/load.ts";
import { canonicalJson, sha256Hex } from "../util/hash.ts";
import { UsageError } from "../util/errors.ts";
import { type EstimatedRun, fitBudget, makespan } from "./budget.ts";
import type { Estimator } from "./_estimator.ts";
import { selectShard, type Shard } from "./options.ts";
import { type PlannedRun, planRuns, resolveRung } from "./plan.ts";
import { headlineOf, PILOT_SEEDS, pilotSd, type SeedRule } from "./seed_choice.ts";
import type { SweepPlan } from "./sweep.ts";

/** The plan as decided, for printing. */
export interface PlanSummary {
  env: BackendInfo;
  /** Every planned run (all shards), with estimates when made. */
  all: PlannedRun[];
  /** This process's shard of them. */
  runs: PlannedRun[];
  /** Runs a budget did not fit, most important first. */
  leftOut: PlannedRun[];
  budgetSeconds: number | null;
  jobs: number;
  threadsPerJob: number;
  /** Expected wall time of `runs` on `jobs` jobs; null without estimates. */
  makespanSeconds: number | null;
  estimateBasis: string | null;
  /** How each headline's paired seeds were chosen (budget plans), by suite. */
  seedChoices: Map<string, SeedChoice>;
  /** Set while the plan is the pilot's: the runs trained before the plan is made again with their paired SD. */
  pilot: PlannedRun[] | null;
  /** The recipe sweep, when a suite or the flags ask for one (its runs are in `all` unless it was left out). */
  sweep: SweepPlan | null;
}

/** What every plan needs. */
export interface PlanContext {
  suites: LoadedSuite[];
  env: BackendInfo;
  code: CodeVersion;
  jobs: number;
  threadsPerJob: number;
  resultsDir: string;
  seeds?: number[];
  activations?: string[];
  shard?: Shard;
}

/**
 * Forced rungs per suite, aliases resolved (a suite without a named rung is a UsageError).
 *
 * @example
 * ```ts
 * import { loadSuites } from "../suite/load.ts";
 * const suites = await loadSuites("dense");
 * forcedRungs(suites, ["cpu"], console.error); // Map { "dense" => ["120k"], ... }
 * ```
 */
export function forcedRungs(
  suites: LoadedSuite[],
  names: string[],
  notice: (m: string) => void,
): Map<string, Scale[]> {
  const out = new Map<string, Scale[]>();
  for (const { suite } of suites) {
    const rungs: Scale[] = [];
    for (const name of names) {
      const { rung, notice: message } = resolveRung(suite, name);
      if (message) notice(message);
      if (!rungs.includes(rung)) rungs.push(rung);
    }
    out.set(suite.name, rungs);
  }
  return out;
}

/**
 * Checks `--activations` against every suite: each must be one of the suite's, so the runs are the suite's own
 * (the same run ids).
 *
 * @example
 * ```ts
 * import { loadSuites } from "../suite/load.ts";
 * checkActivations(await loadSuites("dense"), ["polynorm", "swiglu"]);
 * ```
 */
export function checkActivations(suites: LoadedSuite[], activations: string[] | undefined): void {
  if (!activations) return;
  if (activations.length === 0) throw new UsageError("--activations names no activation");
  for (const { suite } of suites) {
    const unknown = activations.filter((a) => !(suite.activations as string[]).includes(a));
    if (unknown.length) {
      throw new UsageError(
        `suite '${suite.name}' has no activation ${unknown.map((a) => `'${a}'`).join(", ")} ` +
          `(its activations: ${suite.activations.join(", ")})`,
      );
    }
  }
}

function summaryOf(
  ctx: PlanContext,
  all: PlannedRun[],
  extra: Pick<PlanSummary, "leftOut" | "budgetSeconds" | "estimateBasis" | "seedChoices" | "pilot">,
  sweep: SweepPlan | null = null,
): PlanSummary {
  const runs = selectShard(all, ctx.shard);
  const seconds = [...runs.map((r) => r.estimatedSeconds ?? NaN), ...(sweep?.pendingSeconds ?? [])];
  return {
    sweep,
    env: ctx.env,
    all,
    runs,
    jobs: ctx.jobs,
    threadsPerJob: ctx.threadsPerJob,
    makespanSeconds: extra.estimateBasis && seconds.every(Number.isFinite) ? makespan(seconds, ctx.jobs) : null,
    ...extra,
  };
}

/**
 * The plan of forced rungs: the suites' seeds (or `--seeds`) × activations at each rung, estimated when an
 * estimator is given.
 *
 * @example
 * ```ts
 * import type { Estimator } from "./_estimator.ts";
 * declare const ctx: PlanContext, estimator: Estimator;
 * const forced = forcedRungs(ctx.suites, ["cpu"], console.error);
 * const plan = await planForced(ctx, forced, estimator, null);
 * ```
 */
export async function planForced(
  ctx: PlanContext,
  forced: Map<string, Scale[]>,
  estimator: Estimator | null,
  budgetSeconds: number | null = null,
): Promise<PlanSummary> {
  const all = await planRuns(ctx.suites, {
    choose: (s) => ({ rungs: forced.get(s.name)!, seeds: ctx.seeds, activations: ctx.activations }),
    resultsDir: ctx.resultsDir,
    code: ctx.code,
  });
  if (estimator) { for (const run of all) run.estimatedSeconds = await estimator.estimate(run); }
  return summaryOf(ctx, all, {
    leftOut: [],
    budgetSeconds,
    estimateBasis: estimator?.basis() ?? null,
    seedChoices: new Map(),
    pilot: null,
  });
}

async function isDone(run: PlannedRun): Promise<boolean> {
  const status = (await readRunRecord(run.dir))?.status;
  return status === "finished" || status === "diverged";
}

/** Options of {@linkcode planBudget}. */
export interface BudgetOptions {
  budgetSeconds: number;
  /** When the call started (performance.now()): time spent so far counts against the budget. */
  started: number;
  estimator: Estimator;
  rule: SeedRule | null;
  /** Rungs kept per suite (where a pilot trained in this call). */
  pinned: ReadonlyMap<string, string>;
  /** Suites whose pilot already ran in this call: never piloted twice. */
  piloted: ReadonlySet<string>;
}

/**
 * The budget plan. When a suite's headline still lacks its pilot's SD, the plan is returned with `pilot` set to
 * the runs to train first (the first suite's only, so the plan is made again as early as possible); finished
 * pilot runs cost nothing, so a call interrupted anywhere resumes where it stopped.
 *
 * @example
 * ```ts
 * import type { Estimator } from "./_estimator.ts";
 * declare const ctx: PlanContext, estimator: Estimator;
 * const started = performance.now();
 * const plan = await planBudget(ctx, {
 *   budgetSeconds: 1800, started, estimator, rule: null, pinned: new Map(), piloted: new Set(),
 * });
 * ```
 */
export async function planBudget(ctx: PlanContext, o: BudgetOptions): Promise<PlanSummary> {
  const fitted = await fitBudget(ctx.suites, {
    budgetSeconds: () => o.budgetSeconds - (performance.now() - o.started) / 1000,
    jobs: ctx.jobs,
    seeds: ctx.seeds,
    activations: ctx.activations,
    resultsDir: ctx.resultsDir,
    code: ctx.code,
    // A finished run is skipped at once: it costs the budget nothing (a resumed call plans only what is left).
    estimate: async (run) => (await isDone(run)) ? 0 : await o.estimator.estimate(run),
    lowerBound: async (run) => (await isDone(run)) ? 0 : o.estimator.lowerBound(run),
    rule: o.rule,
    pilot: (loaded, _rung, runs) => pilotSd(runs, headlineOf(loaded.suite)!.pair, o.rule!),
    pinned: o.pinned,
  });
  const mark = (e: EstimatedRun) => Object.assign(e.run, { estimatedSeconds: e.seconds });
  const all = fitted.runs.map(mark);
  let pilot: PlannedRun[] | null = null;
  for (const [suite, choice] of fitted.seedChoices) {
    if (!o.rule || choice.pilotSd !== undefined || o.piloted.has(suite)) continue;
    const { suite: spec } = ctx.suites.find((s) => s.suite.name === suite)!;
    const pair = headlineOf(spec)!.pair;
    const seeds = [...new Set(all.filter((r) => r.config.suite === suite).map((r) => r.config.seed))]
      .slice(0, PILOT_SEEDS);
    pilot = all.filter((r) =>
      r.config.suite === suite && pair.includes(r.config.activation) && seeds.includes(r.config.seed)
    );
    break;
  }
  return summaryOf(ctx, all, {
    leftOut: fitted.leftOut.map(mark),
    budgetSeconds: o.budgetSeconds,
    estimateBasis: o.estimator.basis(),
    seedChoices: fitted.seedChoices,
    pilot,
  });
}

/**
 * The plan with its recipe sweep: the sweep's runs after the plan's, its pending runs in the expected wall time.
 * Under a time budget (`budgetLeft` seconds) the sweep joins only whole, when it fits beside the plan; else its runs
 * are listed as left out.
 *
 * @example
 * ```ts
 * import type { SweepPlan } from "./sweep.ts";
 * declare const ctx: PlanContext, plan: PlanSummary, sweep: SweepPlan | null;
 * const withIt = withSweep(ctx, plan, sweep, null);
 * ```
 */
export function withSweep(
  ctx: PlanContext,
  plan: PlanSummary,
  sweep: SweepPlan | null,
  budgetLeft: number | null,
): PlanSummary {
  if (!sweep) return plan;
  const seconds = [...plan.all, ...sweep.runs].map((r) => r.estimatedSeconds ?? NaN);
  const fits = budgetLeft === null || makespan([...seconds, ...sweep.pendingSeconds], ctx.jobs) <= budgetLeft;
  if (!fits) return { ...plan, leftOut: [...plan.leftOut, ...sweep.runs], sweep: { ...sweep, leftOut: true } };
  const { leftOut, budgetSeconds, estimateBasis, seedChoices, pilot } = plan;
  return summaryOf(
    ctx,
    [...plan.all, ...sweep.runs],
    { leftOut, budgetSeconds, estimateBasis, seedChoices, pilot },
    sweep,
  );
}

/**
 * Writes each suite's plan record (rungs merged with the record on disk).
 *
 * @example
 * ```ts
 * declare const ctx: PlanContext, plan: PlanSummary;
 * await writePlanRecords(ctx, plan);
 * ```
 */
export async function writePlanRecords(ctx: PlanContext, summary: PlanSummary): Promise<void> {
  for (const { suite, path } of ctx.suites) {
    const mine = summary.all.filter((r) => r.config.suite === suite.name);
    const left = summary.leftOut.filter((r) => r.config.suite === suite.name);
    const rungNames = [...new Set([...mine, ...left].map((r) => r.config.scale))];
    if (rungNames.length === 0) continue;
    const seedChoice = summary.seedChoices.get(suite.name);
    const record: PlanRecord = {
      schema: "polycom-repro/plan@1",
      suite: suite.name,
      experiment: suite.experiment,
      family: suite.family,
      baseline: suite.baseline,
      suiteHash: await sha256Hex(canonicalJson(suite)),
      suitePath: path,
      code: ctx.code,
      budgetSeconds: summary.budgetSeconds,
      jobs: summary.jobs,
      estimateBasis: summary.estimateBasis,
      rungs: rungNames.map((rung) => {
        const runs = mine.filter((r) => r.config.scale === rung);
        return {
          rung,
          activations: [...new Set(runs.map((r) => r.config.activation))],
          seeds: [...new Set(runs.map((r) => r.config.seed))],
          runs: runs.map((r) => ({
            runId: r.runId,
            activation: r.config.activation,
            seed: r.config.seed,
            estimatedSeconds: r.estimatedSeconds ?? null,
          })),
          leftOut: left.filter((r) => r.config.scale === rung).map((r) => ({
            activation: r.config.activation,
            seed: r.config.seed,
            estimatedSeconds: r.estimatedSeconds ?? null,
          })),
          ...(seedChoice && runs.length ? { seedChoice } : {}),
          plannedAt: new Date().toISOString(),
        };
      }),
    };
    await writePlan(ctx.resultsDir, record);
  }
}
