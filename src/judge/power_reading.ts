/**
 * What a comparison's seeds could have seen: its minimum detectable effect,
 * the seeds the paper's effect would need, the largest effect its interval
 * leaves possible, and for an inconclusive verdict the seeds that would
 * decide it.
 * @module
 */
import type { Direction } from "./measures.ts";
import { minimumDetectableEffect, pairedPower, POWER_LEVEL, POWER_TARGET, seedsToDetect } from "./power.ts";
import type { Interval } from "./stats.ts";
import type { Verdict } from "./verdict.ts";

/** The power of one comparison, in the units of its paired difference d. */
export interface ComparisonPower {
  n: number;
  /** Observed paired standard deviation of d. */
  sd: number;
  /** Smallest |mean d| these n seeds detect with 80% power (NaN for n < 2). */
  mde: number;
  /** The paper's effect in d's units, when comparable. */
  paperEffect: number | null;
  /** Power of these n seeds for the paper's effect. */
  powerAtPaper: number | null;
  /** Seeds the paper's effect needs for 80% power (Infinity beyond MAX_SEEDS). */
  seedsForPaper: number | null;
  /**
   * The largest effect in the paper's direction the interval leaves possible (|lo| for "lower", hi for
   * "higher", as a magnitude; negative when the interval lies wholly on the other side); NaN for n < 2.
   */
  bound: number;
  /**
   * Inconclusive verdicts only: the paired seeds that would decide the comparison with 80% power at this SD, and
   * the effect they are planned for: the paper's effect, or (without one) the observed mean difference.
   */
  decide: { seeds: number; basis: "paper" | "observed" } | null;
}

/**
 * The power of a comparison from its interval, at the interval's two-sided `level`.
 *
 * @example
 * ```ts
 * comparisonPower({ n: 3, mean: -0.01, sd: 0.03, lo: -0.084, hi: 0.064 }, "lower", "inconclusive", -0.019).decide;
 * // { seeds: 22, basis: "paper" }
 * ```
 */
export function comparisonPower(
  interval: Interval,
  expected: Direction,
  verdict: Verdict,
  paperEffect: number | null,
  level = POWER_LEVEL,
): ComparisonPower {
  const { n, sd } = interval;
  const mde = minimumDetectableEffect(sd, n, POWER_TARGET, level);
  const powerAtPaper = paperEffect === null ? null : pairedPower(paperEffect, sd, n, level);
  const seedsForPaper = paperEffect === null ? null : seedsToDetect(paperEffect, sd, POWER_TARGET, level);
  const bound = n < 2 ? NaN : expected === "lower" ? -interval.lo : interval.hi;
  let decide: ComparisonPower["decide"] = null;
  if (verdict === "inconclusive") {
    // Still undecided at n seeds: whatever the power calculation says, deciding takes more than n.
    const more = (seeds: number) => Math.max(seeds, n + 1);
    if (seedsForPaper !== null && !Number.isNaN(seedsForPaper)) decide = { seeds: more(seedsForPaper), basis: "paper" };
    else {
      const seeds = seedsToDetect(interval.mean, sd, POWER_TARGET, level);
      if (!Number.isNaN(seeds)) decide = { seeds: more(seeds), basis: "observed" };
    }
  }
  return { n, sd, mde, paperEffect, powerAtPaper, seedsForPaper, bound, decide };
}
