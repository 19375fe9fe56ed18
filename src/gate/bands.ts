/**
 * Tolerance bands from measurement.
 *
 * Two sources of movement are measured when the baseline is made:
 * - same-seed drift: the same runs repeated, and run on a second backend; a
 *   change that only reorders float arithmetic moves numbers this much;
 * - seed spread: the standard deviation across seeds; a change that redraws
 *   randomness (a different init order, say) moves the mean over n seeds by
 *   about σ·√(2/n).
 *
 * band = max(3 × drift, 2 × σ·√(2/n), floor). A mean that worsens by more
 * than its band is a regression.
 * @module
 */
import type { BaselineRun } from "./baseline.ts";
import type { Band } from "./baseline.ts";
import { betterDirection } from "./metrics.ts";

/** The rule, as printed in the baseline and the summary. */
export const BAND_RULE = "band = max(3 × same-seed drift, 2 × seed σ × √(2/n seeds), floor); " +
  "a regression is a mean over seeds that is worse than the baseline's by more than its band";
/** Smallest band, so float noise below it never fails the gate. */
export const BAND_FLOOR = 1e-4;

function std(values: number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
}

const key = (r: BaselineRun) => `${r.activation}\u0000${r.seed}`;

/**
 * Computes the bands of every metric from the reference runs and the repeats
 * (same activation and seed, another run or backend).
 *
 * @example
 * ```ts
 * import type { BaselineRun } from "./baseline.ts";
 * declare const reference: BaselineRun[];
 * declare const repeatOnWasm: BaselineRun[];
 * const bands = measureBands(reference, [repeatOnWasm]);
 * ```
 */
export function measureBands(reference: BaselineRun[], repeats: BaselineRun[][]): Record<string, Band> {
  const metrics = new Set(reference.flatMap((r) => Object.keys(r.metrics)));
  const byKey = new Map(reference.map((r) => [key(r), r]));
  const seeds = new Set(reference.map((r) => r.seed)).size;
  const bands: Record<string, Band> = {};
  for (const metric of metrics) {
    let drift = 0;
    for (const repeat of repeats) {
      for (const run of repeat) {
        const ref = byKey.get(key(run))?.metrics[metric];
        const value = run.metrics[metric];
        if (ref !== undefined && value !== undefined && Number.isFinite(ref) && Number.isFinite(value)) {
          drift = Math.max(drift, Math.abs(value - ref));
        }
      }
    }
    let seedStd = 0;
    for (const activation of new Set(reference.map((r) => r.activation))) {
      const values = reference.filter((r) => r.activation === activation).map((r) => r.metrics[metric])
        .filter((v) => v !== undefined && Number.isFinite(v));
      seedStd = Math.max(seedStd, std(values));
    }
    const band = Math.max(3 * drift, 2 * seedStd * Math.sqrt(2 / Math.max(1, seeds)), BAND_FLOOR);
    bands[metric] = { band, sameSeedDrift: drift, seedStd, better: betterDirection(metric) };
  }
  return bands;
}
