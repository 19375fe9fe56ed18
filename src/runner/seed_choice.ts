/**
 * Seeds for the headline comparison by sample-size re-estimation from an
 * internal pilot: the first {@linkcode PILOT_SEEDS} paired seeds of the
 * suite's first two activations give the paired SD of the final training
 * loss; from that SD alone (never the observed difference), the rule gives
 * the seeds 80% power against the paper's effect δ needs, kept between the
 * suite's minimum and the cap (its maximum, or what the budget fits).
 *
 * The statistics (the paired SD, the power calculation and the interval
 * level the judge reads a pilot-chosen pair at, recorded with the choice)
 * are the judge's: the CLI passes them in as a {@linkcode SeedRule}, so the
 * runner, whose code is hashed into run ids, never loads the judge. The
 * seed count changes which runs are planned, never what a run computes.
 * @module
 */
import type { SeedChoice } from "../results/plan.ts";
import { join } from "node:path";
import { readJsonl, readRunRecord, RUN_FILES } from "../results/io.ts";
import { MetricsRow } from "../results/schema.ts";
import { finalTrainLoss } from "../results/summary.ts";
import type { Headline, Suite } from "../suite/schema.ts";
import type { PlannedRun } from "./plan.ts";

/** Paired seeds of the internal pilot: the first three of the headline's seeds. */
export const PILOT_SEEDS = 3;

/** The statistics of the seed choice, from the judge (see the module note). */
export interface SeedRule {
  /** The rule in words, for the plan record. */
  name: string;
  /** Sample SD of paired differences. */
  sd(values: readonly number[]): number;
  /** The two-sided interval level the judge reads a comparison at whose seeds a pilot chose in this range. */
  level(minSeeds: number, maxSeeds: number): number;
  /**
   * Paired seeds (≥ 2) for 80% power against `effect` at interval `level`, given the paired SD `sd` of `seeds` pilot
   * seeds; Infinity when beyond any count.
   */
  seedsFor(effect: number, sd: number, seeds: number, level: number): number;
}

/** What the pilot measured: the paired SD over `n` seeds. */
export interface PilotSd {
  sd: number;
  n: number;
}

/**
 * The seeds of the headline: the suite's (or rung's) seeds, extended with the next unused integers up to `count`.
 *
 * @example
 * ```ts
 * seedList([0, 1, 2], 5); // [0, 1, 2, 3, 4]
 * ```
 */
export function seedList(base: readonly number[], count: number): number[] {
  const out = base.slice(0, count);
  for (let s = 0; out.length < count; s++) if (!out.includes(s)) out.push(s);
  return out;
}

/**
 * Chooses the headline's paired seeds. Without a pilot SD (no rule, or the pilot not yet trained) it is the suite's
 * minimum; with one, the rule's count kept between the minimum and the cap, and never below the pilot's seeds.
 *
 * @example
 * ```ts
 * declare const rule: SeedRule;
 * chooseSeeds({ paperEffect: -0.019, minSeeds: 6, maxSeeds: 12 }, { sd: 0.013, n: 3 }, 10, rule);
 * // { rule: "…", pilotSd: 0.013, level: 0.962, target: 8, chosen: 8, cap: 10, reason: "…" }
 * ```
 */
export function chooseSeeds(
  headline: Headline,
  pilot: PilotSd | null,
  budgetCap: number,
  rule: SeedRule | null,
): SeedChoice {
  const cap = Math.max(2, Math.min(headline.maxSeeds, budgetCap));
  const floor = Math.min(headline.minSeeds, cap);
  const delta = `δ ${headline.paperEffect}`;
  const capText = budgetCap < headline.maxSeeds
    ? `the budget fits ${cap}`
    : `the suite's maximum is ${headline.maxSeeds}`;
  if (!rule || !pilot || !(pilot.sd > 0)) {
    const why = !rule
      ? "no power rule given"
      : pilot
      ? `the pilot's ${pilot.n} paired seeds show no spread`
      : `the pilot (${PILOT_SEEDS} paired seeds) has not finished`;
    return {
      rule: rule ? `${rule.name}; until the pilot: the suite's minimum` : "the suite's minimum",
      target: floor,
      chosen: floor,
      cap,
      reason: `${floor} paired seeds, the suite's minimum (${why}); ${capText}`,
    };
  }
  const level = rule.level(headline.minSeeds, headline.maxSeeds);
  const needed = rule.seedsFor(headline.paperEffect, pilot.sd, pilot.n, level);
  const target = Number.isFinite(needed) ? needed : MAX_TARGET;
  const chosen = Math.max(Math.min(pilot.n, cap), Math.min(cap, Math.max(floor, target)));
  const need = Number.isFinite(needed) ? `needs ${needed}` : `needs more than ${MAX_TARGET}`;
  const bound = chosen === cap && target > cap
    ? `; ${capText}`
    : chosen > target
    ? `; the suite's minimum is ${floor}`
    : "";
  return {
    rule: rule.name,
    pilotSd: pilot.sd,
    level,
    target,
    chosen,
    cap,
    reason: `the pilot's paired SD ${pilot.sd.toPrecision(3)} over ${pilot.n} seeds: 80% power against ${delta} ` +
      `at the ${Number((level * 100).toFixed(2))}% interval ${need} paired seeds${bound}`,
  };
}

/** A target beyond any budget, written as this count (JSON has no Infinity). */
const MAX_TARGET = 1000;

/**
 * The pilot's paired SD of the final training loss, from the finished runs among `runs` (the headline's first
 * {@linkcode PILOT_SEEDS} seeds of both activations); null when fewer than two seeds have both runs finished.
 *
 * @example
 * ```ts
 * import type { PlannedRun } from "./plan.ts";
 * declare const pilotRuns: PlannedRun[], rule: SeedRule;
 * const pilot = await pilotSd(pilotRuns, ["polynorm", "swiglu"], rule);
 * ```
 */
export async function pilotSd(
  runs: readonly PlannedRun[],
  pair: readonly [string, string],
  rule: SeedRule,
): Promise<PilotSd | null> {
  const bySeed = new Map<number, Map<string, number>>();
  for (const run of runs) {
    if (!pair.includes(run.config.activation)) continue;
    if ((await readRunRecord(run.dir))?.status !== "finished") continue;
    const loss = finalTrainLoss(await readJsonl(join(run.dir, RUN_FILES.metrics), MetricsRow));
    if (!Number.isFinite(loss)) continue;
    const seed = bySeed.get(run.config.seed) ?? new Map<string, number>();
    seed.set(run.config.activation, loss);
    bySeed.set(run.config.seed, seed);
  }
  const diffs = [...bySeed.values()].filter((m) => m.size === 2).map((m) => m.get(pair[0])! - m.get(pair[1])!);
  return diffs.length >= 2 ? { sd: rule.sd(diffs), n: diffs.length } : null;
}

/**
 * The headline of a suite: its power settings and its two activations, or null when it has none.
 *
 * @example
 * ```ts
 * import { loadSuites } from "../suite/load.ts";
 * const [{ suite: dense }] = await loadSuites("dense");
 * headlineOf(dense)?.pair; // ["polynorm", "swiglu"]
 * ```
 */
export function headlineOf(suite: Suite): { headline: Headline; pair: [string, string] } | null {
  if (!suite.headline || suite.activations.length < 2) return null;
  return { headline: suite.headline, pair: [suite.activations[0], suite.activations[1]] };
}
