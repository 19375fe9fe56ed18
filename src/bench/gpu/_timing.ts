/**
 * Timing helpers of `gpu-check`: grow a measurement until it is long enough
 * to time with the wall clock, and take robust statistics.
 * @module
 */

/** The median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `run(work)` with doubling `work` from `start` until one run takes at
 * least `minMs` (the wall clock's resolution and the submit overhead are then
 * small beside it), then times that work twice more and keeps the fastest.
 * Work is capped at 2^24 so a broken timer cannot loop forever.
 */
export async function timeUntil(
  run: (work: number) => Promise<number>,
  start: number,
  minMs: number,
): Promise<{ work: number; ms: number }> {
  let work = start;
  let ms = await run(work);
  while (ms < minMs && work < 2 ** 24) {
    work *= ms > 0 ? Math.min(8, Math.max(2, Math.ceil(minMs / ms))) : 8;
    ms = await run(work);
  }
  ms = Math.min(ms, await run(work), await run(work));
  return { work, ms };
}
