/**
 * `reproduce`: plan the selected suites and run each run (skipping finished
 * ones, resuming interrupted ones). Writing the reports afterwards is the
 * CLI's job (src/cli/commands/reproduce.ts); the gate calls this without it.
 * @module
 */
import { type BackendChoice, type BackendInfo, initBackend } from "../backend/mod.ts";
import type { Scale } from "../results/schema.ts";
import { type LoadedSuite, loadSuites } from "../suite/load.ts";
import { codeVersion } from "./code_version.ts";
import type { ScaleChoice, Shard } from "./options.ts";
import { type PlannedRun, planRuns } from "./plan.ts";
import { createProgress } from "./progress.ts";
import { executeRun, type RunOutcome } from "./run.ts";

/** Suites run when none is named. */
export const DEFAULT_SUITES = ["dense", "moe"];

/** Options of {@linkcode reproduce}, as the CLI passes them. */
export interface ReproduceOptions {
  suites: string[];
  scale: ScaleChoice;
  backend: BackendChoice;
  seeds?: number[];
  shard?: Shard;
  resultsDir: string;
  dryRun: boolean;
  quiet?: boolean;
  /** Progress as a bar (terminal) or lines; defaults to whether stdout is a terminal. */
  interactive?: boolean;
  /** Called after planning with the runs and the resolved scale (for --dry-run printing). */
  onPlan?: (runs: PlannedRun[], scale: Scale, env: BackendInfo) => Promise<void> | void;
  /** Lets tests and the CLI request a graceful stop. */
  stopRequested?: () => boolean;
}

/** What a reproduce call did. */
export interface ReproduceSummary {
  scale: Scale;
  env: BackendInfo;
  runs: Array<{ run: PlannedRun; outcome: RunOutcome }>;
}

/**
 * `auto` scale: `gpu` on a real WebGPU adapter, `cpu` otherwise.
 *
 * @example
 * ```ts
 * resolveScaleChoice("auto", info); // "cpu" on a machine without a GPU
 * ```
 */
export function resolveScaleChoice(choice: ScaleChoice, env: BackendInfo): Scale {
  if (choice !== "auto") return choice;
  return env.backend === "webgpu" && env.adapter && !env.adapter.isFallback ? "gpu" : "cpu";
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
 * const summary = await reproduce({ suites: ["smoke"], scale: "smoke", backend: "cpu", resultsDir: "results", dryRun: false });
 * ```
 */
export async function reproduce(options: ReproduceOptions): Promise<ReproduceSummary> {
  const suites = await loadAllSuites(options.suites.length ? options.suites : DEFAULT_SUITES);
  const code = await codeVersion();
  const env = await initBackend(options.backend);
  const scale = resolveScaleChoice(options.scale, env);
  const runs = await planRuns(suites, {
    scale,
    seeds: options.seeds,
    shard: options.shard,
    resultsDir: options.resultsDir,
    code,
  });
  await options.onPlan?.(runs, scale, env);
  const summary: ReproduceSummary = { scale, env, runs: [] };
  if (options.dryRun) return summary;
  const stop = options.stopRequested ?? (() => false);
  for (const run of runs) {
    if (stop()) break;
    const label = `${run.config.suite}/${run.config.activation} seed ${run.config.seed}`;
    const outcome = await executeRun(run, {
      env,
      code,
      progress: () => createProgress(label, { quiet: options.quiet, interactive: options.interactive }),
      stopRequested: stop,
    });
    if (outcome === "skipped" && !options.quiet) console.log(`${label}: already finished (${run.runId}), skipped`);
    summary.runs.push({ run, outcome });
    if (outcome === "interrupted") break;
  }
  return summary;
}
