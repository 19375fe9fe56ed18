/**
 * Which runs a report uses: one scale, one run per activation and seed (the
 * newest when code changes left several), finished runs only, and what is
 * missing against the suite's plan. Nothing is ever filled in.
 * @module
 */
import type { LoadedRun, Scale } from "../results/mod.ts";
import type { SeedChoice } from "../results/plan.ts";
import { isSuiteRecipe, settingLabel, settingOf } from "../results/recipe.ts";

/** Training compute of a run (what orders rungs: names are labels, not sizes). */
const computeOf = (r: LoadedRun) => r.record.counts.flopsPerToken * r.record.progress.totalTokens;

/** The activations and seeds a suite was meant to run, and where that came from. */
export interface ExpectedRuns {
  activations: string[];
  seeds: number[];
  /** e.g. "suite file suites/smoke.ts (scale smoke)" or "inferred from the runs present". */
  source: string;
  /** How the planner chose the seed count, when its plan record says (see results/plan.ts). */
  seedChoice?: SeedChoice;
}

/** A run left out of the statistics, and why. */
export interface ExcludedRun {
  run: LoadedRun;
  reason: string;
}

/** An expected run that has no usable result. */
export interface MissingRun {
  activation: string;
  seed: number;
  /** "no result", "running (step 40 of 100)", "failed: …", "diverged at step 17". */
  reason: string;
}

/** The runs one report is about. */
export interface RunSelection {
  suite: string;
  experiment: string;
  scale: Scale;
  /** The activation claims are measured against (the suite's baseline). */
  baseline: string;
  /** One run per activation × seed at this scale (any status). */
  runs: LoadedRun[];
  /** The finished ones: the statistics use only these. */
  usable: LoadedRun[];
  excluded: ExcludedRun[];
  expected: ExpectedRuns;
  missing: MissingRun[];
}

function statusRank(run: LoadedRun): number {
  const s = run.record.status;
  return s === "finished" ? 0 : s === "diverged" ? 1 : s === "running" ? 2 : 3;
}

/**
 * The scale a report covers when none is asked for: the one with the most
 * finished runs, the larger scale on a tie.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "../results/mod.ts";
 * declare const runs: LoadedRun[];
 * pickScale(runs); // "cpu"
 * ```
 */
export function pickScale(runs: readonly LoadedRun[]): Scale {
  if (runs.length === 0) throw new Error("pickScale needs at least one run");
  const finished = (scale: Scale) =>
    runs.filter((r) => r.record.scale === scale && r.record.status === "finished").length;
  // Rungs from largest to smallest; a report prefers the larger on a tie.
  const size = (scale: Scale) => Math.max(...runs.filter((r) => r.record.scale === scale).map(computeOf));
  const present = [...new Set(runs.map((r) => r.record.scale))].sort((a, b) => size(b) - size(a));
  return present.reduce((best, s) => finished(s) > finished(best) ? s : best, present[0]);
}

/**
 * Expected runs inferred from the runs themselves (every activation present
 * × every seed present), for results whose suite file is unknown.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "../results/mod.ts";
 * declare const runs: LoadedRun[];
 * inferExpected(runs).activations; // ["polynorm", "swiglu"]
 * ```
 */
export function inferExpected(runs: readonly LoadedRun[]): ExpectedRuns {
  return {
    activations: [...new Set(runs.map((r) => r.record.activation))],
    seeds: [...new Set(runs.map((r) => r.record.seed))].sort((a, b) => a - b),
    source: "inferred from the runs present (every activation present × every seed present)",
  };
}

/**
 * Selects the runs of one suite for a report.
 *
 * @example
 * ```ts
 * import { loadRuns } from "../results/mod.ts";
 * const selection = selectRuns(await loadRuns("results", "smoke-dense"));
 * selection.missing; // [{ activation: "swiglu", seed: 1, reason: "no result" }]
 * ```
 */
export function selectRuns(
  all: readonly LoadedRun[],
  options: { scale?: Scale; expected?: ExpectedRuns } = {},
): RunSelection {
  const suites = [...new Set(all.map((r) => r.record.suite))];
  if (suites.length !== 1) throw new Error(`selectRuns needs the runs of exactly one suite (got ${suites.length})`);
  const scale = options.scale ?? pickScale(all);
  const excluded: ExcludedRun[] = [];
  const byKey = new Map<string, LoadedRun[]>();
  for (const run of all) {
    if (run.record.scale !== scale) {
      excluded.push({ run, reason: `scale ${run.record.scale} (this report covers ${scale})` });
      continue;
    }
    // A recipe sweep's runs at other settings are judged apart (judge/recipe.ts), never paired with the suite's.
    const setting = settingOf(run.record);
    if (!isSuiteRecipe(setting)) {
      excluded.push({ run, reason: `recipe sweep at ${settingLabel(setting)} (see the recipe sweep section)` });
      continue;
    }
    const key = `${run.record.activation}/${run.record.seed}`;
    byKey.set(key, [...(byKey.get(key) ?? []), run]);
  }
  const runs: LoadedRun[] = [];
  for (const group of byKey.values()) {
    group.sort((a, b) =>
      statusRank(a) - statusRank(b) || b.record.timings.updatedAt.localeCompare(a.record.timings.updatedAt)
    );
    runs.push(group[0]);
    for (const older of group.slice(1)) excluded.push({ run: older, reason: `superseded by ${group[0].record.runId}` });
  }
  runs.sort((a, b) => a.record.activation.localeCompare(b.record.activation) || a.record.seed - b.record.seed);
  const usable = runs.filter((r) => r.record.status === "finished");

  const inferred = inferExpected(runs);
  const expected: ExpectedRuns = options.expected
    ? {
      activations: [...new Set([...options.expected.activations, ...inferred.activations])],
      seeds: [...new Set([...options.expected.seeds, ...inferred.seeds])].sort((a, b) => a - b),
      source: options.expected.source,
      ...(options.expected.seedChoice ? { seedChoice: options.expected.seedChoice } : {}),
    }
    : inferred;
  const missing: MissingRun[] = [];
  for (const activation of expected.activations) {
    for (const seed of expected.seeds) {
      const run = runs.find((r) => r.record.activation === activation && r.record.seed === seed);
      if (!run) missing.push({ activation, seed, reason: "no result" });
      else if (run.record.status !== "finished") missing.push({ activation, seed, reason: describeStatus(run) });
    }
  }
  const first = (usable[0] ?? runs[0] ?? all[0]).record;
  const baseline = typeof first.config.baseline === "string" ? first.config.baseline : "swiglu";
  return { suite: suites[0], experiment: first.experiment, scale, baseline, runs, usable, excluded, expected, missing };
}

/**
 * Why a run does not count, in a few words.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "../results/mod.ts";
 * declare const run: LoadedRun;
 * describeStatus(run); // "diverged at step 17"
 * ```
 */
export function describeStatus(run: LoadedRun): string {
  const r = run.record;
  if (r.status === "diverged") return `diverged at step ${r.divergedAtStep ?? "?"}`;
  if (r.status === "failed") return `failed: ${(r.error ?? "unknown error").split("\n")[0].slice(0, 120)}`;
  if (r.status === "running") return `unfinished (step ${r.progress.step} of ${r.progress.totalSteps})`;
  return r.status;
}
