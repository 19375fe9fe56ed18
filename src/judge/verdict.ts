/**
 * The verdict rule: how a paired 95% interval becomes a verdict, read against
 * 0 and, where the paper publishes one, against the paper's effect δ; and the
 * one word a claim gets for tables and the gate. The report prints
 * {@linkcode VERDICT_RULE} verbatim.
 * @module
 */
import type { Direction } from "./measures.ts";
import type { Interval } from "./stats.ts";

/** The outcome of testing a comparison (or, for tables and the gate, a claim). */
export type Verdict =
  /** Wholly on the paper's side of 0 and reaching δ (or, without δ, wholly on the paper's side). */
  | "reproduced"
  /** Wholly between 0 and δ: real, and smaller than published. */
  | "reproduced, smaller"
  /** Contains 0 and lies wholly short of δ: the paper's effect is ruled out at this size. */
  | "smaller than published"
  /** Wholly on the other side of 0. */
  | "contradicted"
  /** Contains 0 and δ (without δ: contains 0). */
  | "inconclusive"
  /** One paired seed: a point estimate, no interval. */
  | "not judged"
  /** A downstream comparison on tasks that no model scores above chance at this size. */
  | "untestable at this size"
  /** No paired seed. */
  | "untested";

/**
 * Every verdict, in the order summaries count them.
 *
 * @example
 * ```ts
 * VERDICTS.includes("smaller than published"); // true
 * ```
 */
export const VERDICTS: readonly Verdict[] = [
  "reproduced",
  "reproduced, smaller",
  "smaller than published",
  "contradicted",
  "inconclusive",
  "not judged",
  "untestable at this size",
  "untested",
];

/**
 * The rule in words, as printed in every report.
 *
 * @example
 * ```ts
 * console.log(VERDICT_RULE);
 * ```
 */
export const VERDICT_RULE = [
  "Each comparison pairs runs by seed (same seed, same data order) and takes the per-seed difference d",
  "(for speed-ups, d = ln speed-up). With n ≥ 2 paired seeds, the 95% Student-t interval of the mean of d",
  "(mean ± t(0.975, n−1)·sd/√n) is read against 0 and, where the paper publishes the size of the effect, against",
  "that size δ (in d's units): **reproduced** when the interval lies wholly on the paper's side of 0 and reaches δ",
  "(contains it or lies beyond it); **reproduced, smaller** when it lies wholly between 0 and δ (an effect in the",
  "paper's direction, smaller than published); **smaller than published** when it contains 0 and lies wholly short",
  "of δ (the paper's effect is ruled out at this size, while no effect is still possible); **contradicted** when it lies wholly on",
  "the other side of 0; **inconclusive** when it contains both 0 and δ (the power table names the seeds that would",
  "decide it). Comparisons without a published size (rankings, validation gaps in the paper's undocumented units,",
  "downstream directions) are read against 0 only: reproduced, contradicted or inconclusive.",
  "When the planner chose a pair's seed count from a pilot's paired SD (the headline pair), that pair's intervals are",
  "at a level above 95% (the method section names it), found by simulation so that choosing the count from the data",
  "keeps the chance of an interval wholly on the paper's side when there is no effect at 2.5%.",
  "With one paired seed there is no interval: the comparison is shown as a point estimate and is **not judged**; with",
  "none it is **untested**. A downstream comparison is **untestable at this size** when no task of the run scores",
  "above its chance level. A claim lists its comparisons' verdicts, the headline comparison (PolyNorm against the",
  "baseline) first, and takes that comparison's verdict as its own; a ranking, or a claim made on every validation",
  "source, is one statement about all its pairs: contradicted when any pair is contradicted, else inconclusive when",
  "any pair is inconclusive, else reproduced when every pair is reproduced, and not judged when a pair has one seed.",
  "The paper's sizes come from a 1B model trained on 200–250B tokens: a verdict here holds",
  "at this size and seed count, and does not refute or confirm the paper at its own. No correction for multiple",
  "comparisons is applied.",
].join(" ");

/**
 * The verdict of one paired comparison. `effect` is the paper's effect δ in d's units (signed, e.g. −0.019 for a
 * lower loss); without one, or when its sign is not the expected direction, only the direction is read.
 *
 * @example
 * ```ts
 * pairedVerdict({ n: 3, mean: -0.02, sd: 0.003, lo: -0.027, hi: -0.013 }, "lower"); // "reproduced"
 * pairedVerdict({ n: 3, mean: 0.002, sd: 0.01, lo: -0.035, hi: 0.029 }, "higher", Math.log(1.458)); // "smaller than published"
 * pairedVerdict({ n: 3, mean: -0.003, sd: 0.013, lo: -0.035, hi: 0.029 }, "lower", -0.019); // "inconclusive"
 * ```
 */
export function pairedVerdict(interval: Interval, expected: Direction, effect: number | null = null): Verdict {
  if (interval.n === 0) return "untested";
  if (interval.n < 2 || !Number.isFinite(interval.lo) || !Number.isFinite(interval.hi)) return "not judged";
  // Toward the paper: positive is the paper's side of 0.
  const toward = (v: number) => (expected === "lower" ? -v : v);
  const lo = Math.min(toward(interval.lo), toward(interval.hi));
  const hi = Math.max(toward(interval.lo), toward(interval.hi));
  if (hi < 0) return "contradicted";
  const delta = effect === null ? NaN : toward(effect);
  if (!(delta > 0)) return lo > 0 ? "reproduced" : "inconclusive";
  if (lo > 0) return hi >= delta ? "reproduced" : "reproduced, smaller";
  return hi < delta ? "smaller than published" : "inconclusive";
}

/**
 * Whether a verdict came from an interval (not a point estimate, not missing).
 *
 * @example
 * ```ts
 * isJudged("not judged"); // false
 * ```
 */
export function isJudged(verdict: Verdict): boolean {
  return verdict !== "not judged" && verdict !== "untested" && verdict !== "untestable at this size";
}

/**
 * One word for a statement about all of its pairs (a ranking; a gap on every validation source), read by direction:
 * contradicted when any judged pair is, inconclusive when any judged pair is not in the paper's direction,
 * reproduced when every pair is judged and in the paper's direction, not judged when the judged pairs agree with the
 * paper but some pair has one seed. With no judged pair: untestable, not judged or untested.
 *
 * @example
 * ```ts
 * allPairsVerdict(["reproduced", "inconclusive"]); // "inconclusive"
 * allPairsVerdict(["reproduced", "contradicted"]); // "contradicted"
 * allPairsVerdict(["reproduced", "not judged"]); // "not judged"
 * ```
 */
export function allPairsVerdict(verdicts: readonly Verdict[]): Verdict {
  const judged = verdicts.filter(isJudged);
  if (judged.length === 0) {
    for (const v of ["untestable at this size", "not judged"] as const) if (verdicts.includes(v)) return v;
    return "untested";
  }
  if (judged.includes("contradicted")) return "contradicted";
  const inDirection = (v: Verdict) => v === "reproduced" || v === "reproduced, smaller";
  if (!judged.every(inDirection)) return "inconclusive";
  return judged.length === verdicts.length ? "reproduced" : "not judged";
}

/**
 * How many of each verdict a list holds, every verdict listed (zeros included), in {@linkcode VERDICTS} order.
 *
 * @example
 * ```ts
 * countVerdicts(["reproduced", "not judged", "reproduced"]); // [["reproduced", 2], ["reproduced, smaller", 0], ...]
 * ```
 */
export function countVerdicts(verdicts: readonly Verdict[]): Array<readonly [Verdict, number]> {
  return VERDICTS.map((v) => [v, verdicts.filter((x) => x === v).length] as const);
}
