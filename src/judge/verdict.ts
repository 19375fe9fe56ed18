/**
 * The verdict rule: how a paired 95% interval becomes reproduced,
 * contradicted or inconclusive, and how the verdicts of a claim's
 * comparisons combine. The report prints {@linkcode VERDICT_RULE} verbatim.
 * @module
 */
import type { Direction } from "./claims.ts";
import type { Interval } from "./stats.ts";

/** The outcome of testing a claim or one of its comparisons. */
export type Verdict = "reproduced" | "contradicted" | "inconclusive" | "untested";

/**
 * Every verdict, in the order tables sort them.
 *
 * @example
 * ```ts
 * VERDICTS.includes("reproduced"); // true
 * ```
 */
export const VERDICTS: readonly Verdict[] = ["reproduced", "contradicted", "inconclusive", "untested"];

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
  "(mean ± t(0.975, n−1)·sd/√n) decides: **reproduced** when the whole interval lies on the paper's side of 0,",
  "**contradicted** when it lies wholly on the other side, **inconclusive** when it contains 0.",
  "With one paired seed there is no interval and the verdict is always **inconclusive**; with none it is **untested**.",
  "A claim made of several comparisons (a ranking's neighbouring pairs, several activations, several validation",
  "sources) is reproduced when every tested comparison is, contradicted when any is, and inconclusive otherwise.",
  "Only directions are judged: the paper's magnitudes come from a 1B model trained on 200–250B tokens and are shown",
  "for context. No correction for multiple comparisons is applied.",
].join(" ");

/**
 * The verdict of one paired comparison.
 *
 * @example
 * ```ts
 * pairedVerdict({ n: 3, mean: -0.02, sd: 0.003, lo: -0.027, hi: -0.013 }, "lower"); // "reproduced"
 * ```
 */
export function pairedVerdict(interval: Interval, expected: Direction): Verdict {
  if (interval.n === 0) return "untested";
  if (interval.n < 2 || !Number.isFinite(interval.lo) || !Number.isFinite(interval.hi)) return "inconclusive";
  const below = interval.hi < 0;
  const above = interval.lo > 0;
  if (expected === "lower") return below ? "reproduced" : above ? "contradicted" : "inconclusive";
  return above ? "reproduced" : below ? "contradicted" : "inconclusive";
}

/**
 * Combines the verdicts of a claim's comparisons.
 *
 * @example
 * ```ts
 * combineVerdicts(["reproduced", "inconclusive"]); // "inconclusive"
 * combineVerdicts(["reproduced", "contradicted"]); // "contradicted"
 * ```
 */
export function combineVerdicts(verdicts: readonly Verdict[]): Verdict {
  const tested = verdicts.filter((v) => v !== "untested");
  if (tested.length === 0) return "untested";
  if (tested.includes("contradicted")) return "contradicted";
  return tested.every((v) => v === "reproduced") ? "reproduced" : "inconclusive";
}
