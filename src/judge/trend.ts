/**
 * The trend across sizes: when a suite has results at more than one rung
 * (scale), each claim's gap to the baseline at every rung, against the
 * parameters and tokens of that rung, beside the paper's point, and what the
 * trend shows in words.
 * @module
 */
import type { LoadedRun, Scale } from "../results/mod.ts";
import type { ClaimSpec, Direction } from "./claims.ts";
import { evaluateClaims } from "./evaluate.ts";
import { type Measure, measureSpec } from "./measures.ts";
import { paperEffect } from "./paper_effect.ts";
import { selectRuns } from "./select.ts";
import type { Interval } from "./stats.ts";
import type { Verdict } from "./verdict.ts";

/** One rung's result for one comparison. */
export interface TrendPoint {
  scale: string;
  /** Mean total parameters of the compared activation's finished runs at this rung. */
  parameters: number;
  /** Mean training tokens per run of those runs. */
  tokens: number;
  /** The paired difference d (speed-ups: ln speed-up) with its 95% interval. */
  interval: Interval;
  verdict: Verdict;
}

/** One comparison of a claim across rungs. */
export interface ComparisonTrend {
  claim: ClaimSpec;
  /** Comparison key, as in verdict keys. */
  key: string;
  activation: string;
  versus: string;
  measure: Measure;
  expected: Direction;
  /** One point per rung with a paired seed, smallest model first. */
  points: TrendPoint[];
  /** The paper's point: its model's parameters and tokens and its effect in d's units, when comparable. */
  paper: { parameters: number; tokens: number; effect: number } | null;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Every comparison with the baseline of every claim, across the rungs present. Empty unless at least two rungs have
 * finished runs.
 *
 * @example
 * ```ts
 * import { loadRuns } from "../results/mod.ts";
 * const trends = sizeTrends(await loadRuns("results", "dense"), { parameters: 1.345e9, tokens: 250e9 });
 * trends[0].points.map((p) => [p.parameters, p.interval.mean]);
 * ```
 */
export function sizeTrends(
  runs: readonly LoadedRun[],
  paper: { parameters: number; tokens: number } | null,
): ComparisonTrend[] {
  const scales = [...new Set(runs.filter((r) => r.record.status === "finished").map((r) => r.record.scale))];
  if (scales.length < 2) return [];
  const byKey = new Map<string, ComparisonTrend>();
  for (const scale of scales) {
    const selection = selectRuns(runs, { scale: scale as Scale });
    for (const result of evaluateClaims(selection)) {
      for (const c of result.comparisons) {
        if (c.versus !== selection.baseline || c.pairs.length === 0) continue;
        const mine = selection.usable.filter((r) => r.record.activation === c.activation);
        const id = `${result.claim.id}/${c.key}`;
        const trend = byKey.get(id) ?? {
          claim: result.claim,
          key: c.key,
          activation: c.activation,
          versus: c.versus,
          measure: c.measure,
          expected: c.expected,
          points: [],
          paper: null,
        };
        trend.points.push({
          scale,
          parameters: mean(mine.map((r) => r.record.counts.total)),
          tokens: mean(mine.map((r) => r.record.progress.totalTokens)),
          interval: c.interval,
          verdict: c.verdict,
        });
        if (paper && !trend.paper) {
          const effect = paperEffect(result.claim, c);
          if (effect !== null) trend.paper = { ...paper, effect };
        }
        byKey.set(id, trend);
      }
    }
  }
  const out = [...byKey.values()].filter((t) => t.points.length >= 2);
  for (const t of out) t.points.sort((a, b) => a.parameters - b.parameters || a.tokens - b.tokens);
  return out;
}

/**
 * The gap in the paper's direction: positive when the activation is on the side the paper says (for "lower", the
 * negated difference).
 *
 * @example
 * ```ts
 * gapTowardPaper(-0.02, "lower"); // 0.02
 * ```
 */
export function gapTowardPaper(d: number, expected: Direction): number {
  return expected === "lower" ? -d : d;
}

/**
 * What a comparison's trend shows, as a few plain facts: the gap in the paper's direction at the smallest and the
 * largest rung, whether it grows or shrinks, whether it changes sign, and the verdict at the largest rung.
 *
 * @example
 * ```ts
 * declare const trend: ComparisonTrend;
 * describeTrend(trend).direction; // "grows"
 * ```
 */
export function describeTrend(t: ComparisonTrend): {
  first: number;
  last: number;
  direction: "grows" | "shrinks" | "flat";
  signChange: boolean;
  largest: TrendPoint;
} {
  const gaps = t.points.map((p) => gapTowardPaper(p.interval.mean, t.expected));
  const first = gaps[0];
  const last = gaps[gaps.length - 1];
  const digits = measureSpec(t.measure).digits;
  const direction = Math.abs(last - first) < 0.5 * 10 ** -digits ? "flat" : last > first ? "grows" : "shrinks";
  const signChange = gaps.some((g, i) => i > 0 && Math.sign(g) !== Math.sign(gaps[i - 1]) && g !== 0);
  return { first, last, direction, signChange, largest: t.points[t.points.length - 1] };
}
