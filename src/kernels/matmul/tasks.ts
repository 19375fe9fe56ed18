/**
 * The native GEMMs as heap-thread tasks: a batched plan's products split
 * over the parts by output matrix, and one large product cut into blocks
 * fixed by its shape.
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import { nativeBlas } from "./native_blas.ts";
import { partRange } from "../parallel/task.ts";
import type { HeapTask } from "../parallel/task.ts";

/** Task arguments of {@linkcode sgemmPairsTask} before the pair list. */
export const SGEMM_TASK_HEAD = 9;

/**
 * The GEMMs of a batched plan as a heap-thread task, each part taking a run
 * of the output matrices, every GEMM on the calling thread's BLAS call (the
 * caller sets the BLAS to one thread: the threads are the parts). Args
 * `[transposeA, transposeB, foldedM, n, k, m, a, b, out]` then `[ia, ib]` per
 * output matrix.
 *
 * @example
 * ```ts
 * declare const heap: Float32Array, a: number, b: number, out: number; // element offsets
 * sgemmPairsTask(heap, Float64Array.of(0, 1, 128, 128, 32, 128, a, b, out, 0, 0, 1, 1), 0, 1);
 * ```
 */
export function sgemmPairsTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const blas = nativeBlas();
  if (!blas) throw new Error("sgemm task without a native BLAS");
  const [transposeA, transposeB, foldedM, n, k, m, a, b, out] = args;
  const pairs = (args.length - SGEMM_TASK_HEAD) >> 1;
  const [lo, hi] = partRange(pairs, part, parts);
  for (let i = lo; i < hi; i++) {
    const ia = args[SGEMM_TASK_HEAD + 2 * i], ib = args[SGEMM_TASK_HEAD + 2 * i + 1];
    blas.sgemm(
      transposeA === 1,
      transposeB === 1,
      foldedM,
      n,
      k,
      heap,
      a + ia * m * k,
      heap,
      b + ib * k * n,
      heap,
      out + i * foldedM * n,
    );
  }
}

/** The most blocks a cut GEMM has (the default thread cap: every thread gets a block). */
export const MAX_GEMM_BLOCKS = 8;
/** The fewest rows (or columns) a block of a cut GEMM has. */
export const MIN_GEMM_BLOCK = 64;

/**
 * How many blocks a GEMM with `extent` rows (or columns) along its cut axis is
 * computed in: a function of the shape alone, never of the thread count, so a
 * product gives the same bits on any number of threads whatever the BLAS does
 * inside one call (OpenBLAS's kernels sum an element in an order that depends
 * on where its tile falls: its edge tiles, and on some cores a direct or
 * small-matrix kernel below a size, sum differently).
 *
 * @example
 * ```ts
 * gemmBlocks(2048); // 8
 * gemmBlocks(100); // 1
 * ```
 */
export function gemmBlocks(extent: number): number {
  return Math.max(1, Math.min(MAX_GEMM_BLOCKS, Math.floor(extent / MIN_GEMM_BLOCK)));
}

/**
 * One GEMM as a heap-thread task, cut into the {@linkcode gemmBlocks} blocks
 * of C's rows (`axis` 0) or columns (`axis` 1) that its shape fixes, each
 * computed by one call of the calling thread's BLAS (the caller sets the BLAS
 * to one thread); each part takes a contiguous run of blocks. Args
 * `[transposeA, transposeB, m, n, k, a, b, c, axis]` (element offsets of the
 * whole matrices).
 *
 * @example
 * ```ts
 * declare const heap: Float32Array, a: number, b: number, c: number; // element offsets
 * sgemmSplitTask(heap, Float64Array.of(0, 0, 2048, 128, 128, a, b, c, 0), 0, 2);
 * ```
 */
export function sgemmSplitTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const blas = nativeBlas();
  if (!blas) throw new Error("sgemm task without a native BLAS");
  const [ta, tb, m, n, k, a, b, c, axis] = args;
  const transposeA = ta === 1, transposeB = tb === 1;
  const ld = [transposeA ? m : k, transposeB ? k : n, n] as const;
  const extent = axis === 0 ? m : n, blocks = gemmBlocks(extent);
  const [first, end] = partRange(blocks, part, parts);
  for (let block = first; block < end; block++) {
    const [lo, hi] = partRange(extent, block, blocks, 16);
    if (lo === hi) continue;
    if (axis === 0) {
      const aAt = a + (transposeA ? lo : lo * k);
      blas.sgemm(transposeA, transposeB, hi - lo, n, k, heap, aAt, heap, b, heap, c + lo * n, false, ld);
    } else {
      const bAt = b + (transposeB ? lo * k : lo);
      blas.sgemm(transposeA, transposeB, m, hi - lo, k, heap, a, heap, bAt, heap, c + lo, false, ld);
    }
  }
}

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const MATMUL_TASKS = {
  sgemmPairs: sgemmPairsTask,
  sgemmSplit: sgemmSplitTask,
} satisfies Record<string, HeapTask>;
