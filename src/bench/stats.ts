/**
 * Small statistics for timings.
 * @module
 */

/**
 * The median of a non-empty list (mean of the middle two for even lengths).
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * A quantile by linear interpolation between order statistics, `q` in [0, 1].
 *
 * @example
 * ```ts
 * quantile([1, 2, 3, 4, 5], 0.9); // 4.6
 * ```
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError("quantile of an empty list");
  const s = [...values].sort((a, b) => a - b);
  const pos = Math.min(Math.max(q, 0), 1) * (s.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
