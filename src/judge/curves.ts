/**
 * Curves of a run (smoothed training loss, validation loss per evaluation)
 * and the convergence speed-up read off them.
 * @module
 */
import { FINAL_LOSS_WINDOW, type LoadedRun } from "../results/mod.ts";

/** A curve: values at increasing token counts. */
export interface Curve {
  tokens: number[];
  values: number[];
}

/**
 * Trailing mean over `window` points. At the start the window grows as half
 * the points seen so far (1, 1, 2, 2, 3, …) rather than averaging everything
 * since step 1, so the steep early descent is not dragged out by the first
 * losses; from point 2·window on it is the full window.
 *
 * @example
 * ```ts
 * trailingMean([4, 2, 0, 2], 2); // [4, 2, 1, 1]
 * ```
 */
export function trailingMean(values: readonly number[], window: number): number[] {
  const prefix = [0];
  for (const v of values) prefix.push(prefix[prefix.length - 1] + v);
  return values.map((_, i) => {
    const w = Math.min(window, Math.floor(i / 2) + 1);
    return (prefix[i + 1] - prefix[i + 1 - w]) / w;
  });
}

/**
 * The smoothing window of a run's training curve: 5% of its logged steps (at
 * least 1), the same window as the final training loss, so that the smoothed
 * curve ends exactly at `finalTrainLoss`.
 *
 * @example
 * ```ts
 * smoothingWindow(300); // 15
 * ```
 */
export function smoothingWindow(rows: number): number {
  return Math.max(1, Math.round(rows * FINAL_LOSS_WINDOW));
}

/**
 * The training cross-entropy against tokens, smoothed by a trailing mean.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "../results/mod.ts";
 * declare const run: LoadedRun;
 * const curve = trainCurve(run);
 * curve.values.at(-1); // equals finalTrainLoss(run.metrics)
 * ```
 */
export function trainCurve(run: LoadedRun): Curve {
  const rows = run.metrics;
  return {
    tokens: rows.map((r) => r.tokens),
    values: trailingMean(rows.map((r) => r.ce), smoothingWindow(rows.length)),
  };
}

/**
 * Validation loss against tokens: one source, or the mean over all sources
 * of each evaluation when `source` is omitted.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "../results/mod.ts";
 * declare const run: LoadedRun;
 * valCurve(run, "brown").values;
 * ```
 */
export function valCurve(run: LoadedRun, source?: string): Curve {
  const tokens: number[] = [];
  const values: number[] = [];
  for (const row of run.evals) {
    const losses = source === undefined
      ? Object.values(row.sources).map((s) => s.loss)
      : row.sources[source]
      ? [row.sources[source].loss]
      : [];
    if (losses.length === 0) continue;
    tokens.push(row.tokens);
    values.push(losses.reduce((a, b) => a + b, 0) / losses.length);
  }
  return { tokens, values };
}

/**
 * The token count from which on a curve stays at or below `target`: the
 * crossing after its last point above `target`, interpolated linearly between
 * the two points around it; `null` when the curve ends above `target`.
 *
 * "Stays", not "first touches": small-batch training curves are noisy, and a
 * dip on an easy batch would otherwise count as reaching a loss the run does
 * not hold (a curve could then "reach" a final loss lower than its own).
 *
 * @example
 * ```ts
 * tokensToReach({ tokens: [0, 10, 20], values: [3, 2, 1] }, 1.5); // 15
 * tokensToReach({ tokens: [0, 10, 20, 30], values: [2, 0.9, 1.2, 0.8] }, 1); // 25
 * ```
 */
export function tokensToReach(curve: Curve, target: number): number | null {
  const { tokens, values } = curve;
  let lastAbove = -1;
  for (let i = 0; i < values.length; i++) if (values[i] > target) lastAbove = i;
  if (lastAbove === values.length - 1) return null;
  if (lastAbove === -1) return tokens[0];
  const i = lastAbove + 1;
  const [t0, t1, v0, v1] = [tokens[i - 1], tokens[i], values[i - 1], values[i]];
  return t0 + ((v0 - target) / (v0 - v1)) * (t1 - t0);
}

/** A speed-up of curve a over curve b and how it was obtained. */
export interface Speedup {
  /** > 1: a reached b's final value with fewer tokens; < 1: a never did within its run. */
  speedup: number;
  /** Whether a reached b's final value (else the inverse reading was used). */
  reached: boolean;
  /** Tokens at which the crossing happened (on a's curve when reached, on b's otherwise). */
  crossing: number;
  /** The final token count the ratio is taken against. */
  budget: number;
}

/**
 * Speed-up of a over b: when a reaches b's final value at t tokens, b's final
 * tokens ÷ t (≥ 1). When a never reaches it, b's curve is read instead: the
 * tokens b needs to reach a's final value ÷ a's final tokens (< 1), so the
 * number exists either way without extrapolating past the run. `null` for an
 * empty curve or a crossing at 0 tokens.
 *
 * @example
 * ```ts
 * speedupOf({ tokens: [0, 50, 100], values: [3, 2, 1] }, { tokens: [0, 50, 100], values: [3, 2.5, 2] });
 * // { speedup: 2, reached: true, crossing: 50, budget: 100 }
 * ```
 */
export function speedupOf(a: Curve, b: Curve): Speedup | null {
  if (a.values.length === 0 || b.values.length === 0) return null;
  const bBudget = b.tokens[b.tokens.length - 1];
  const aBudget = a.tokens[a.tokens.length - 1];
  const reach = tokensToReach(a, b.values[b.values.length - 1]);
  if (reach !== null) {
    return reach > 0 ? { speedup: bBudget / reach, reached: true, crossing: reach, budget: bBudget } : null;
  }
  const back = tokensToReach(b, a.values[a.values.length - 1]);
  if (back === null || back <= 0 || aBudget <= 0) return null;
  return { speedup: back / aBudget, reached: false, crossing: back, budget: aBudget };
}

/** Curves of several seeds on one token grid: mean, min and max. */
export interface CurveBand {
  tokens: number[];
  mean: number[];
  min: number[];
  max: number[];
  /** Seeds averaged. */
  n: number;
}

/**
 * Linear interpolation of a curve at `x` (clamped to its ends).
 *
 * @example
 * ```ts
 * interpolate({ tokens: [0, 10], values: [2, 4] }, 5); // 3
 * ```
 */
export function interpolate(curve: Curve, x: number): number {
  const { tokens, values } = curve;
  if (tokens.length === 0) return NaN;
  if (x <= tokens[0]) return values[0];
  for (let i = 1; i < tokens.length; i++) {
    if (x <= tokens[i]) {
      const f = (x - tokens[i - 1]) / (tokens[i] - tokens[i - 1]);
      return values[i - 1] + f * (values[i] - values[i - 1]);
    }
  }
  return values[values.length - 1];
}

/**
 * Averages curves across seeds on the grid of the first curve, within the
 * token range every curve covers (others are interpolated onto that grid).
 *
 * @example
 * ```ts
 * bandOf([{ tokens: [0, 10], values: [2, 4] }, { tokens: [0, 10], values: [4, 6] }]).mean; // [3, 5]
 * ```
 */
export function bandOf(curves: readonly Curve[]): CurveBand {
  const usable = curves.filter((c) => c.tokens.length > 0);
  if (usable.length === 0) return { tokens: [], mean: [], min: [], max: [], n: 0 };
  const end = Math.min(...usable.map((c) => c.tokens[c.tokens.length - 1]));
  const start = Math.max(...usable.map((c) => c.tokens[0]));
  const grid = usable[0].tokens.filter((t) => t >= start && t <= end);
  const band: CurveBand = { tokens: grid, mean: [], min: [], max: [], n: usable.length };
  for (const t of grid) {
    const ys = usable.map((c) => interpolate(c, t));
    band.mean.push(ys.reduce((a, b) => a + b, 0) / ys.length);
    band.min.push(Math.min(...ys));
    band.max.push(Math.max(...ys));
  }
  return band;
}
