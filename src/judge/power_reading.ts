/**
 * What a comparison's seeds could have seen: its minimum detectable effect,
 * the seeds the paper's effect would need, and for an inconclusive verdict
 * which kind of inconclusive it is.
 * @module
 */
import type { Direction } from "./measures.ts";
import { minimumDetectableEffect, pairedPower, POWER_TARGET, seedsToDetect } from "./power.ts";
import type { Interval } from "./stats.ts";
import type { Verdict } from "./verdict.ts";

/** Why an inconclusive comparison is inconclusive. */
export type InconclusiveReading =
  /** The seeds had less than 80% power for the paper's effect. */
  | "underpowered"
  /** The seeds had the power, or there is no paper effect to judge by: the interval bounds the effect. */
  | "bounded"
  /** Fewer than two paired seeds: no spread, no power. */
  | "no-spread";

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
   * The largest effect in the paper's direction the 95% interval leaves possible (|lo| for "lower", hi for
   * "higher", as a magnitude; negative when the interval lies wholly on the other side); NaN for n < 2.
   */
  bound: number;
  /** Set for inconclusive verdicts only. */
  reading: InconclusiveReading | null;
}

/**
 * The power of a comparison from its interval.
 *
 * @example
 * ```ts
 * comparisonPower({ n: 3, mean: -0.01, sd: 0.03, lo: -0.084, hi: 0.064 }, "lower", "inconclusive", -0.019).reading;
 * // "underpowered"
 * ```
 */
export function comparisonPower(
  interval: Interval,
  expected: Direction,
  verdict: Verdict,
  paperEffect: number | null,
): ComparisonPower {
  const { n, sd } = interval;
  const mde = minimumDetectableEffect(sd, n);
  const powerAtPaper = paperEffect === null ? null : pairedPower(paperEffect, sd, n);
  const seedsForPaper = paperEffect === null ? null : seedsToDetect(paperEffect, sd);
  const bound = n < 2 ? NaN : expected === "lower" ? -interval.lo : interval.hi;
  let reading: InconclusiveReading | null = null;
  if (verdict === "inconclusive") {
    if (n < 2 || !(sd > 0)) reading = "no-spread";
    else if (powerAtPaper !== null && powerAtPaper < POWER_TARGET) reading = "underpowered";
    else reading = "bounded";
  }
  return { n, sd, mde, paperEffect, powerAtPaper, seedsForPaper, bound, reading };
}
