/**
 * `reproduce`: plan the selected suites (forced rungs, or the largest that
 * fit a time budget, the headline's seeds chosen from its pilot), record the
 * plan beside the results, then run each run (skipping finished ones,
 * resuming interrupted ones, leaving runs another live process holds to it),
 * in this process or in parallel child processes. The planner (planner.ts)
 * decides what to train and the child path (_only.ts) runs one run of it;
 * this file puts them in order. The CLI writes the reports afterwards.
 * @module
 */
import { type BackendChoice, type BackendInfo, initBackend } from "../backend/mod.ts";
import { defaultGemmThreads } from "../kernels/mod.ts";
import type { CodeVersion, Scale } from "../results/schema.ts";
import { type LoadedSuite, loadSuites } from "../suite/load.ts";
import { UsageError } from "../util/errors.ts";
import { codeVersion } from "./code_version.ts";
import { readRunRecord } from "../results/io.ts";
import type { Timed } from "./calibration.ts";
import { type Estimator, makeEstimator } from "./_estimator.ts";
import { openRunData } from "./_data.ts";
import { runInChild } from "./_child.ts";
import { type OnlyContext, type OnlyRun, reproduceOnly } from "./_only.ts";
import { AUTO_SCALE, defaultJobs, type Shard } from "./options.ts";
import type { PlannedRun } from "./plan.ts";
import {
  checkActivations,
  forcedRungs,
  planBudget,
  type PlanContext,
  planForced,
  type PlanSummary,
  withSweep,
  writePlanRecords,
} from "./planner.ts";
import { planSweep, type SweepRequest } from "./sweep.ts";
import { sweepGrid } from "../results/recipe.ts";
import { createProgress } from "./progress.ts";
import { executeRun, type RunOutcome } from "./run.ts";
import type { SeedRule } from "./seed_choice.ts";

export type { OnlyRun } from "./_only.ts";
export type { PlanSummary } from "./planner.ts";

/** Where probe measurements are cached (beside the data cache; results stay untouched by --dry-run). */
export const PROBE_CACHE_DIR = ".cache";

/** Suites run when none is named, most important first (the budget fills them in this order). */
export const DEFAULT_SUITES = ["dense", "moe"];
/** The budget of a plain `reproduce`: a 2-core machine's 30 minutes, probing included. */
export const DEFAULT_BUDGET_SECONDS = 30 * 60;

/** Options of {@linkcode reproduce}, as the CLI passes them. */
export interface ReproduceOptions {
  suites: string[];
  /** Rungs to run (every suite must have them, or an alias of them); `["auto"]` or none: the budget chooses. */
  scales?: string[];
  /** Time budget in seconds when the rung is not forced (default {@linkcode DEFAULT_BUDGET_SECONDS}). */
  budgetSeconds?: number;
  /**
   * When the budget's clock started (a `performance.now()` value; default: when `reproduce` is called). The CLI
   * passes 0, the process's start, so that start-up before planning counts: the budget is the command's wall time.
   */
  startedAt?: number;
  /** Runs at once, each in its own process (default from cores and memory). */
  jobs?: number;
  /** GEMM threads of each job (default: the machine's GEMM threads shared among the jobs). */
  threads?: number;
  backend: BackendChoice;
  seeds?: number[];
  /** Activations replacing the suites' (each must be one of every selected suite's). */
  activations?: string[];
  /** Recipe sweep multipliers of the learning rate and of the init scale, replacing the suites' (sweep.ts). */
  lrSweep?: number[];
  initSweep?: number[];
  /** The statistics of the headline's seed choice (the CLI passes the judge's); none: the headline's minimum. */
  seedRule?: SeedRule;
  shard?: Shard;
  resultsDir: string;
  dryRun: boolean;
  /** Estimate forced plans too (a short probe per rung; default true). */
  estimate?: boolean;
  /** Child mode: run this one run of the plan, write no plan record. */
  only?: OnlyRun;
  quiet?: boolean;
  /** Progress as a bar (terminal) or lines; defaults to whether stdout is a terminal. */
  interactive?: boolean;
  /** Called after planning (for printing the plan); again after each pilot. */
  onPlan?: (plan: PlanSummary) => Promise<void> | void;
  /** Prints a notice (aliases, lock take-overs, left-out runs); console.error by default. */
  notice?: (message: string) => void;
  /** Lets tests and the CLI request a graceful stop. */
  stopRequested?: () => boolean;
}

/** What a reproduce call did. */
export interface ReproduceSummary {
  /** The first suite's first rung (what single-rung callers such as the gate ran). */
  scale: Scale;
  env: BackendInfo;
  plan: PlanSummary;
  runs: Array<{ run: PlannedRun; outcome: RunOutcome }>;
}

/**
 * Validates everything the user gave before anything is written, so bad input
 * fails with one message and no side effects.
 *
 * @example
 * ```ts
 * const suites = await loadAllSuites(["smoke"]);
 * ```
 */
export async function loadAllSuites(names: string[]): Promise<LoadedSuite[]> {
  const loaded: LoadedSuite[] = [];
  for (const name of names) loaded.push(...await loadSuites(name));
  return loaded;
}

/**
 * Runs a reproduction.
 *
 * @example
 * ```ts
 * const summary = await reproduce({ suites: ["smoke"], scales: ["smoke"], backend: "cpu", resultsDir: "results", dryRun: false });
 * ```
 */
export async function reproduce(options: ReproduceOptions): Promise<ReproduceSummary> {
  const notice = options.notice ?? ((m: string) => console.error(m));
  const suites = await loadAllSuites(options.suites.length ? options.suites : DEFAULT_SUITES);
  const names = options.scales?.filter((s) => s !== AUTO_SCALE) ?? [];
  const forced = names.length ? forcedRungs(suites, names, notice) : null;
  const code = await codeVersion();
  const jobs = options.only ? 1 : (options.jobs ?? defaultJobs());
  // Each job gets its share of the GEMM threads; the probe measures a job as it will run.
  const threadsPerJob = options.threads ?? Math.max(1, Math.floor(defaultGemmThreads() / jobs));
  const env = await initBackend(options.backend, { threads: threadsPerJob });
  const run1 = (run: PlannedRun) => runOne(run, env, code, options, notice);
  if (options.only) {
    if (!forced) throw new UsageError("--only needs --scale");
    return await runOnly(options, { suites, forced, code, env, threads: threadsPerJob, run: run1 });
  }
  checkActivations(suites, options.activations);
  const request = sweepRequest(options, suites);
  const ctx: PlanContext = {
    suites,
    env,
    code,
    jobs,
    threadsPerJob,
    resultsDir: options.resultsDir,
    seeds: options.seeds,
    activations: options.activations,
    shard: options.shard,
  };
  const budgetSeconds = forced ? (options.budgetSeconds ?? null) : (options.budgetSeconds ?? DEFAULT_BUDGET_SECONDS);
  const estimating = budgetSeconds !== null || options.dryRun || (options.estimate ?? true);
  const estimator = estimating ? await makeEstimator(PROBE_CACHE_DIR, env, code.sourceHash, threadsPerJob, jobs) : null;
  const stop = options.stopRequested ?? (() => false);
  const worker = (run: PlannedRun, slot: number, many: boolean) =>
    many
      ? runInChild(run, {
        slot,
        backend: env.backend,
        resultsDir: options.resultsDir,
        threads: threadsPerJob,
        stopRequested: stop,
        quiet: options.quiet ?? false,
      })
      : run1(run);
  const train = (runs: PlannedRun[]) =>
    runAll(runs, jobs, (run, slot) => worker(run, slot, jobs > 1 && runs.length > 1), stop, options.quiet ?? false);
  const done: ReproduceSummary["runs"] = [];
  const started = options.startedAt ?? performance.now();
  const base = forced
    ? await planForced(ctx, forced, estimator, budgetSeconds)
    : await pilotThenPlan(ctx, options, { budgetSeconds: budgetSeconds!, started }, estimator!, train, done, notice);
  const sweepOf = (budgetLeft: number | null) =>
    sweepPlan(ctx, base, { request, resultsDir: options.resultsDir, code, estimator }, budgetLeft);
  let plan = await sweepOf(forced ? null : budgetSeconds! - (performance.now() - started) / 1000);
  if (plan.sweep?.leftOut) {
    notice("the recipe sweep does not fit the time budget: left out (a longer --budget adds it)");
  }
  await estimator?.save();
  if (!estimator && !options.dryRun) await checkData(ctx, plan);
  if (!options.dryRun) await writePlanRecords(ctx, plan);
  await options.onPlan?.(plan);
  const firstRung = plan.all[0]?.config.scale ?? forced?.values().next().value?.[0] ?? "smoke";
  const summary: ReproduceSummary = { scale: firstRung, env, plan, runs: done };
  if (options.dryRun || stop()) return summary;
  const trained = new Set(done.map((d) => d.run.runId));
  if (await sweepPilotsFirst(summary, { train, trained, notice })) {
    if (stop()) return summary;
    // Admitted once: the seeds at the chosen settings are the sweep's, whatever the budget's clock says now.
    plan = summary.plan = await sweepOf(null);
    await writePlanRecords(ctx, plan);
    await options.onPlan?.(plan);
  }
  summary.runs.push(...await train(plan.runs.filter((r) => !trained.has(r.runId))));
  return summary;
}

/**
 * The budget plan, after the pilots it asks for: plan; when a headline's pilot SD is missing, train its pilot runs,
 * then plan again at the same rung with their SD (a dry run shows the first plan and trains nothing).
 */
async function pilotThenPlan(
  ctx: PlanContext,
  options: ReproduceOptions,
  clock: { budgetSeconds: number; started: number },
  estimator: Estimator,
  train: (runs: PlannedRun[]) => Promise<ReproduceSummary["runs"]>,
  done: ReproduceSummary["runs"],
  notice: (m: string) => void,
): Promise<PlanSummary> {
  const { budgetSeconds, started } = clock;
  const pinned = new Map<string, string>();
  const piloted = new Set<string>();
  const rule = options.seedRule ?? null;
  for (;;) {
    const plan = await planBudget(ctx, { budgetSeconds, started, estimator, rule, pinned, piloted });
    if (!plan.pilot || options.dryRun || options.stopRequested?.()) return plan;
    const { suite, scale } = plan.pilot[0].config;
    notice(
      `${suite}/${scale}: pilot first (${plan.pilot.length} runs, the headline's first seeds), then the plan is ` +
        "made again with their paired SD",
    );
    await estimator.save();
    await writePlanRecords(ctx, plan);
    await options.onPlan?.(plan);
    done.push(...await train(plan.pilot));
    estimator.calibrate(suite, await measuredTimes(plan.pilot));
    pinned.set(suite, scale);
    piloted.add(suite);
  }
}

/** Estimated and wall seconds of the runs that trained in this call (a finished run planned at 0 s has none). */
async function measuredTimes(runs: PlannedRun[]): Promise<Timed[]> {
  const records = await Promise.all(runs.map((run) => readRunRecord(run.dir)));
  return records.flatMap((r, i) =>
    r?.status === "finished" && (runs[i].estimatedSeconds ?? 0) > 0
      ? [{ estimated: runs[i].estimatedSeconds!, wall: r.timings.wallSeconds ?? 0 }]
      : []
  );
}

/** Child mode: the one run of `--only`, which may be at a recipe sweep's setting. */
async function runOnly(
  options: ReproduceOptions,
  o: Omit<OnlyContext, "seeds" | "settings" | "resultsDir">,
): Promise<ReproduceSummary> {
  const settings = options.lrSweep || options.initSweep ? sweepGrid(options.lrSweep, options.initSweep) : [];
  const ctx = { ...o, seeds: options.seeds, settings, resultsDir: options.resultsDir };
  const { plan, run, outcome } = await reproduceOnly(options.only!, ctx);
  return { scale: run.config.scale, env: o.env, plan, runs: [{ run, outcome }] };
}

/** The sweep the flags ask for; a sweep (the flags' or a suite's) cannot be sharded. */
function sweepRequest(options: ReproduceOptions, suites: LoadedSuite[]): SweepRequest {
  const request: SweepRequest = { lr: options.lrSweep, init: options.initSweep };
  if (options.shard && suites.some((s) => request.lr || request.init || s.suite.lrSweep || s.suite.initSweep)) {
    throw new UsageError("a recipe sweep cannot be sharded (its seeds wait for its pilots' choice)");
  }
  return request;
}

/** The plan with its recipe sweep (planner.ts `withSweep`); `budgetLeft` null admits the sweep whole. */
async function sweepPlan(
  ctx: PlanContext,
  base: PlanSummary,
  o: { request: SweepRequest; resultsDir: string; code: CodeVersion; estimator: Estimator | null },
  budgetLeft: number | null,
): Promise<PlanSummary> {
  const estimator = o.estimator;
  const estimate = estimator ? (run: PlannedRun) => estimator.estimate(run) : undefined;
  const sweep = await planSweep(ctx.suites, base.all, { ...o, estimate });
  return withSweep(ctx, base, sweep, budgetLeft);
}

/**
 * Trains the recipe sweep's pilots (one seed per activation per setting) while a choice is still open, so the plan
 * can be made again with each activation's best setting; false when there is nothing to pilot.
 */
async function sweepPilotsFirst(
  summary: ReproduceSummary,
  o: {
    train: (runs: PlannedRun[]) => Promise<ReproduceSummary["runs"]>;
    trained: Set<string>;
    notice: (m: string) => void;
  },
): Promise<boolean> {
  const sweep = summary.plan.sweep;
  if (!sweep || sweep.leftOut || sweep.arms.every((a) => a.choice)) return false;
  const pilots = sweep.arms.flatMap((a) => a.pilots)
    .filter((r, i, all) => all.findIndex((x) => x.runId === r.runId) === i && !o.trained.has(r.runId));
  o.notice(`recipe sweep: ${pilots.length} pilot runs first, then each activation's seeds at its best setting`);
  summary.runs.push(...await o.train(pilots));
  for (const run of pilots) o.trained.add(run.runId);
  return true;
}

/** Bad data (a missing file, a broken tokenizer) stops here, before anything is written to results/. */
async function checkData(ctx: PlanContext, plan: PlanSummary): Promise<void> {
  for (const { suite } of ctx.suites) {
    const first = plan.all.find((r) => r.config.suite === suite.name);
    if (first) await openRunData(first.config);
  }
}

function runOne(
  run: PlannedRun,
  env: BackendInfo,
  code: CodeVersion,
  options: ReproduceOptions,
  notice: (m: string) => void,
): Promise<RunOutcome> {
  const label = `${run.config.suite}/${run.config.scale}/${run.config.activation} seed ${run.config.seed}`;
  return executeRun(run, {
    env,
    code,
    progress: () => createProgress(label, { quiet: options.quiet, interactive: options.interactive }),
    stopRequested: options.stopRequested ?? (() => false),
    notice,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `runs` on `jobs` slots in order. A run another process holds is set
 * aside and tried again when nothing else is left (by then it is usually
 * finished and skipped; if its holder died, its lock is taken over).
 *
 * @example
 * ```ts
 * import type { PlannedRun } from "./plan.ts";
 * import { executeRun, type RunContext } from "./run.ts";
 * declare const runs: PlannedRun[];
 * declare const ctx: RunContext;
 * const outcomes = await runAll(runs, 2, (run) => executeRun(run, ctx), () => false, false);
 * ```
 */
export async function runAll(
  runs: PlannedRun[],
  jobs: number,
  worker: (run: PlannedRun, slot: number) => Promise<RunOutcome>,
  stop: () => boolean,
  quiet: boolean,
): Promise<Array<{ run: PlannedRun; outcome: RunOutcome }>> {
  const queue = [...runs];
  const outcomes = new Map<PlannedRun, RunOutcome>();
  const free = Array.from({ length: jobs }, (_, i) => jobs - i);
  const active = new Map<number, Promise<void>>();
  let deferred: PlannedRun[] = [];
  const label = (r: PlannedRun) => `${r.config.suite}/${r.config.scale}/${r.config.activation} seed ${r.config.seed}`;
  while (queue.length || deferred.length || active.size) {
    while (!stop() && queue.length && free.length) {
      const run = queue.shift()!;
      const slot = free.pop()!;
      active.set(
        slot,
        worker(run, slot).catch(() => "failed" as const).then((outcome) => {
          active.delete(slot);
          free.push(slot);
          if (outcome === "locked") deferred.push(run);
          else outcomes.set(run, outcome);
          if (outcome === "skipped" && !quiet) console.log(`${label(run)}: already finished (${run.runId}), skipped`);
          if (outcome === "locked" && !quiet) console.log(`${label(run)}: another process is running it; later`);
        }),
      );
    }
    if (active.size) await Promise.race(active.values());
    else if (stop()) break;
    else if (deferred.length) {
      await sleep(1000);
      queue.push(...deferred);
      deferred = [];
    }
  }
  for (const run of deferred) outcomes.set(run, "locked");
  return runs.filter((r) => outcomes.has(r)).map((run) => ({ run, outcome: outcomes.get(run)! }));
}
