/**
 * rms_norm heap-thread tasks (see `../parallel/tasks.ts`).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import type { HeapTask } from "../parallel/task.ts";
import { forEachBlock, reductionBlocks } from "../parallel/reduce.ts";
import { partRange } from "../parallel/task.ts";
import { stagedRows } from "../_wasm/staged.ts";
import { RMS_NORM_SIMD } from "./_simd_module.ts";
import { rmsNormBackwardRows, rmsNormForwardRows } from "./math.ts";

/** Whether rows of `n` floats take the SIMD passes (else the float64 JavaScript loops). */
const simdRows = (n: number) => n % 4 === 0 && RMS_NORM_SIMD.available;

/**
 * {@linkcode rmsNormForwardRows} as a heap-thread task, split over rows: args
 * `[x, w, y, rows, n, eps]` (element offsets into the heap).
 *
 * @example
 * ```ts
 * const heap = new Float32Array(768); // x 2×128 at 0, w at 256, y at 512
 * rmsNormForwardTask(heap, Float64Array.of(0, 256, 512, 2, 128, 1e-5), 0, 1);
 * ```
 */
export function rmsNormForwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [x, w, y, rows, n, eps] = args;
  const [lo, hi] = partRange(rows, part, parts);
  if (simdRows(n)) {
    const arrays = { inputs: [x], outputs: [y], rowFloats: n, constants: [[w, n]] as const };
    stagedRows(RMS_NORM_SIMD, heap, arrays, lo, hi, (simd, b, count) => {
      simd.fwd(b.inputs[0], b.constants[0], b.outputs[0], count, n, n, eps);
    });
    return;
  }
  const at = (offset: number) => heap.subarray(offset + lo * n, offset + hi * n);
  rmsNormForwardRows(at(x), heap.subarray(w, w + n), eps, n, at(y));
}

/**
 * {@linkcode rmsNormBackwardRows} as a heap-thread task: args
 * `[dy, x, w, dx, rows, n, eps]`. Threads take whole blocks of rows
 * ({@linkcode reductionBlocks}); each block's weight gradient (float64) goes to
 * the part's result slots, for {@linkcode addBlockSums} to add in block order,
 * so dw does not depend on the thread count.
 *
 * @example
 * ```ts
 * const heap = new Float32Array(896); // dy 2×128 at 0, x at 256, w at 512, dx at 640
 * rmsNormBackwardTask(heap, Float64Array.of(0, 256, 512, 640, 2, 128, 1e-5), 0, 1, new Float64Array(128));
 * ```
 */
export const rmsNormBackwardTask: HeapTask = (heap, args, part, parts, results) => {
  const [dy, x, w, dx, rows, n, eps] = args;
  const weights = heap.subarray(w, w + n);
  forEachBlock(reductionBlocks(rows, n), rows, n, part, parts, results, (first, end, sums) => {
    if (simdRows(n)) {
      const arrays = { inputs: [dy, x], outputs: [dx], rowFloats: n, constants: [[w, n]] as const, scratchFloats: n };
      stagedRows(RMS_NORM_SIMD, heap, arrays, first, end, (simd, b, count) => {
        simd.bwd(b.inputs[0], b.inputs[1], b.constants[0], b.outputs[0], b.scratch, count, n, n, eps);
        const dw = b.floats.subarray(b.scratch / 4, b.scratch / 4 + n);
        for (let j = 0; j < n; j++) sums[j] += dw[j];
      });
      return;
    }
    const at = (offset: number) => heap.subarray(offset + first * n, offset + end * n);
    rmsNormBackwardRows(at(dy), at(x), weights, eps, n, at(dx), sums);
  });
};

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const RMS_NORM_TASKS = {
  rmsNormForward: rmsNormForwardTask,
  rmsNormBackward: rmsNormBackwardTask,
} satisfies Record<string, HeapTask>;
