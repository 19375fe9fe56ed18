/**
 * How a task's work is cut into parts.
 * @module
 */

/**
 * The half-open range `[lo, hi)` of part `part` of `parts` over `n` items,
 * cut at multiples of `align` (contiguous, covering `[0, n)` once).
 *
 * @example
 * ```ts
 * partRange(10, 0, 2); // [0, 5]
 * partRange(10, 1, 2, 4); // [4, 10]
 * ```
 */
export function partRange(n: number, part: number, parts: number, align = 1): [number, number] {
  const cut = (i: number) => i >= parts ? n : Math.min(n, Math.round((n * i) / parts / align) * align);
  return [cut(part), cut(part + 1)];
}
