/**
 * `reproduce`: plan the selected suites (forced rungs, or the largest that
 * fit a time budget), record the plan beside the results, then run each run
 * (skipping finished ones, resuming interrupted ones, leaving runs another
 * live process holds to it), in this process or in parallel child processes.
 * The CLI writes the reports afterwards.
 * @module
 */
import { type BackendChoice, type BackendInfo, initBackend } from "../backend/mod.ts";
import { defaultGemmThreads } from "../kernels/mod.ts";
import type { Scale } from "../results/schema.ts";
import { type PlanRecord, writePlan } from "../results/plan.ts";
import { type LoadedSuite, loadSuites } from "../suite/load.ts";
import { canonicalJson, sha256Hex } from "../util/hash.ts";
import { UsageError } from "../util/errors.ts";
import { type EstimatedRun, fitBudget, makespan } from "./budget.ts";
import { codeVersion } from "./code_version.ts";
import { makeEstimator } from "./_estimator.ts";
import { openRunData } from "./_data.ts";
import { runInChild } from "./_child.ts";
import { AUTO_SCALE, defaultJobs, selectShard, type Shard } from "./options.ts";
import { type PlannedRun, planRuns, resolveRung } from "./plan.ts";
import { createProgress } from "./progress.ts";
import { executeRun, type RunOutcome } from "./run.ts";

/** Where probe measurements are cached (beside the data cache; results stay untouched by --dry-run). */
export const PROBE_CACHE_DIR = ".cache";

/** Suites run when none is named, most important first (the budget fills them in this order). */
export const DEFAULT_SUITES = ["dense", "moe"];
/** The budget of a plain `reproduce`: it leaves a 2-core machine's 30 minutes room for probing and reports. */
export const DEFAULT_BUDGET_SECONDS = 25 * 60;

/** Which run a child process runs (`reproduce --only suite/runId`). */
export interface OnlyRun {
  suite: string;
  runId: string;
  estimatedSeconds?: number;
}

/** Options of {@linkcode reproduce}, as the CLI passes them. */
export interface ReproduceOptions {
  suites: string[];
  /** Rungs to run (every suite must have them, or an alias of them); `["auto"]` or none: the budget chooses. */
  scales?: string[];
  /** Time budget in seconds when the rung is not forced (default {@linkcode DEFAULT_BUDGET_SECONDS}). */
  budgetSeconds?: number;
  /** Runs at once, each in its own process (default from cores and memory). */
  jobs?: number;
  backend: BackendChoice;
  seeds?: number[];
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
  /** Called after planning (for printing the plan). */
  onPlan?: (plan: PlanSummary) => Promise<void> | void;
  /** Prints a notice (aliases, lock take-overs, left-out runs); console.error by default. */
  notice?: (message: string) => void;
  /** Lets tests and the CLI request a graceful stop. */
  stopRequested?: () => boolean;
}

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

/** Forced rungs per suite, aliases resolved (a suite without a named rung is a UsageError). */
function forcedRungs(suites: LoadedSuite[], names: string[], notice: (m: string) => void): Map<string, Scale[]> {
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

async function planRecords(
  suites: LoadedSuite[],
  summary: PlanSummary,
  code: PlanRecord["code"],
): Promise<PlanRecord[]> {
  const records: PlanRecord[] = [];
  for (const { suite, path } of suites) {
    const mine = summary.all.filter((r) => r.config.suite === suite.name);
    const left = summary.leftOut.filter((r) => r.config.suite === suite.name);
    const rungNames = [...new Set([...mine, ...left].map((r) => r.config.scale))];
    if (rungNames.length === 0) continue;
    records.push({
      schema: "polycom-repro/plan@1",
      suite: suite.name,
      experiment: suite.experiment,
      family: suite.family,
      baseline: suite.baseline,
      suiteHash: await sha256Hex(canonicalJson(suite)),
      suitePath: path,
      code,
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
          plannedAt: new Date().toISOString(),
        };
      }),
    });
  }
  return records;
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
  let suites = await loadAllSuites(options.suites.length ? options.suites : DEFAULT_SUITES);
  if (options.only) suites = suites.filter((s) => s.suite.name === options.only!.suite);
  const names = options.scales?.filter((s) => s !== AUTO_SCALE) ?? [];
  const forced = names.length ? forcedRungs(suites, names, notice) : null;
  const code = await codeVersion();
  const jobs = options.only ? 1 : (options.jobs ?? defaultJobs());
  const threadsPerJob = Math.max(1, Math.floor(defaultGemmThreads() / jobs));
  // Each job gets its share of the GEMM threads; the probe measures a job as it will run.
  if (jobs > 1) Deno.env.set("POLYCOM_GEMM_THREADS", String(threadsPerJob));
  const env = await initBackend(options.backend);

  if (options.only) {
    if (!forced) throw new UsageError("--only needs --scale");
    const only = options.only;
    const all = await planRuns(suites, {
      choose: (s) => ({ rungs: forced.get(s.name)!, seeds: options.seeds }),
      resultsDir: options.resultsDir,
      code,
    });
    const run = all.find((r) => r.runId === only.runId);
    if (!run) throw new UsageError(`run ${only.runId} is not in the plan of ${only.suite} (code or suite changed?)`);
    run.estimatedSeconds = only.estimatedSeconds ?? null;
    const plan: PlanSummary = {
      env,
      all,
      runs: [run],
      leftOut: [],
      budgetSeconds: null,
      jobs: 1,
      threadsPerJob,
      makespanSeconds: null,
      estimateBasis: null,
    };
    const outcome = await runOne(run, env, code, options, notice);
    return { scale: run.config.scale, env, plan, runs: [{ run, outcome }] };
  }

  const budgetSeconds = forced ? (options.budgetSeconds ?? null) : (options.budgetSeconds ?? DEFAULT_BUDGET_SECONDS);
  const estimating = budgetSeconds !== null || options.dryRun || (options.estimate ?? true);
  const estimator = estimating ? await makeEstimator(PROBE_CACHE_DIR, env, code.sourceHash, threadsPerJob, jobs) : null;
  const started = performance.now();
  let all: PlannedRun[];
  let leftOut: PlannedRun[] = [];
  if (forced) {
    all = await planRuns(suites, {
      choose: (s) => ({ rungs: forced.get(s.name)!, seeds: options.seeds }),
      resultsDir: options.resultsDir,
      code,
    });
    if (estimator) { for (const run of all) run.estimatedSeconds = await estimator.estimate(run); }
  } else {
    const fitted = await fitBudget(suites, {
      // Probing is part of the budget.
      budgetSeconds: () => budgetSeconds! - (performance.now() - started) / 1000,
      jobs,
      seeds: options.seeds,
      resultsDir: options.resultsDir,
      code,
      estimate: (run) => estimator!.estimate(run),
    });
    const mark = (e: EstimatedRun) => Object.assign(e.run, { estimatedSeconds: e.seconds });
    all = fitted.runs.map(mark);
    leftOut = fitted.leftOut.map(mark);
  }
  await estimator?.save();
  // Bad data (a missing file, a broken tokenizer) stops here, before anything is written to results/; the probes
  // opened the data already when there were any.
  if (!estimator && !options.dryRun) {
    for (const { suite } of suites) {
      const first = all.find((r) => r.config.suite === suite.name);
      if (first) await openRunData(first.config);
    }
  }
  const runs = selectShard(all, options.shard);
  const seconds = runs.map((r) => r.estimatedSeconds ?? NaN);
  const plan: PlanSummary = {
    env,
    all,
    runs,
    leftOut,
    budgetSeconds,
    jobs,
    threadsPerJob,
    makespanSeconds: estimator && seconds.every(Number.isFinite) ? makespan(seconds, jobs) : null,
    estimateBasis: estimator?.basis() ?? null,
  };
  if (!options.dryRun) {
    for (const record of await planRecords(suites, plan, code)) await writePlan(options.resultsDir, record);
  }
  await options.onPlan?.(plan);
  const firstRung = all[0]?.config.scale ?? forced?.values().next().value?.[0] ?? "smoke";
  const summary: ReproduceSummary = { scale: firstRung, env, plan, runs: [] };
  if (options.dryRun) return summary;
  // One run (or one job) runs in this process; more go to child processes.
  const worker = jobs === 1 || runs.length <= 1
    ? (run: PlannedRun) => runOne(run, env, code, options, notice)
    : (run: PlannedRun, slot: number) =>
      runInChild(run, {
        slot,
        backend: env.backend,
        resultsDir: options.resultsDir,
        threads: threadsPerJob,
        stopRequested: options.stopRequested ?? (() => false),
        quiet: options.quiet ?? false,
      });
  summary.runs = await runAll(runs, jobs, worker, options.stopRequested ?? (() => false), options.quiet ?? false);
  return summary;
}

function runOne(
  run: PlannedRun,
  env: BackendInfo,
  code: PlanRecord["code"],
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
