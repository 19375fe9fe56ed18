/**
 * Sums over rows that come out the same whatever the thread count: the rows
 * are cut into blocks that depend only on the shape, each block is summed on
 * its own (float64), and the block sums are added in block order. Threads
 * take whole blocks, so `--jobs 1` (two threads) and `--jobs 2` (one)
 * give the same bits.
 * @module
 */
import { RESULT_SLOTS } from "./_control.ts";
import { partRange } from "./task.ts";

/** Rows per block, at least: enough work per block that cutting costs nothing. */
export const MIN_BLOCK_ROWS = 64;

/** How a reduction's rows are cut: `size` rows a block, `count` blocks. */
export interface ReductionBlocks {
  size: number;
  count: number;
}

/**
 * The blocks of a reduction over `rows` rows whose sums are `width` floats
 * wide (all blocks' sums fit in one thread's result slots).
 *
 * @example
 * ```ts
 * reductionBlocks(2048, 128); // { size: 64, count: 32 }
 * ```
 */
export function reductionBlocks(rows: number, width: number, minRows = MIN_BLOCK_ROWS): ReductionBlocks {
  const maxBlocks = Math.max(1, Math.floor(RESULT_SLOTS / Math.max(1, width)));
  const size = Math.max(minRows, Math.ceil(rows / maxBlocks));
  return { size, count: Math.ceil(rows / size) };
}

/**
 * Part `part`'s blocks: calls `sumBlock(first, end, sums)` for each of its
 * blocks in order (rows `[first, end)`), `sums` being that block's zeroed
 * `width` slots in `results`.
 *
 * @example
 * ```ts
 * declare const rows: number, part: number, parts: number, results: Float64Array;
 * declare function addRows(first: number, end: number, sums: Float64Array): void;
 * const blocks = reductionBlocks(rows, 128);
 * forEachBlock(blocks, rows, 128, part, parts, results, (r0, r1, sums) => addRows(r0, r1, sums));
 * ```
 */
export function forEachBlock(
  blocks: ReductionBlocks,
  rows: number,
  width: number,
  part: number,
  parts: number,
  results: Float64Array,
  sumBlock: (first: number, end: number, sums: Float64Array) => void,
): void {
  const [lo, hi] = partRange(blocks.count, part, parts);
  for (let b = lo; b < hi; b++) {
    const sums = results.subarray((b - lo) * width, (b - lo + 1) * width);
    sums.fill(0);
    sumBlock(b * blocks.size, Math.min(rows, (b + 1) * blocks.size), sums);
  }
}

/**
 * Adds every block's sums into `out`, in block order, from the parts'
 * result slots (`partials[p]` for part p of `partials.length`).
 *
 * @example
 * ```ts
 * import { type HeapTarget, runHeapTask } from "./mod.ts";
 * declare const target: HeapTarget, args: number[], rows: number, n: number;
 * const blocks = reductionBlocks(rows, n);
 * const dw = new Float64Array(n);
 * addBlockSums(runHeapTask(target, "rmsNormBackward", args, rows * n), blocks, n, dw);
 * ```
 */
export function addBlockSums(
  partials: readonly Float64Array[],
  blocks: ReductionBlocks,
  width: number,
  out: Float64Array,
) {
  const parts = partials.length;
  for (let p = 0; p < parts; p++) {
    const [lo, hi] = partRange(blocks.count, p, parts);
    for (let b = lo; b < hi; b++) {
      const at = (b - lo) * width;
      for (let j = 0; j < width; j++) out[j] += partials[p][at + j];
    }
  }
}
