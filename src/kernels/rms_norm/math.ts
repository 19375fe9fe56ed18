/**
 * RMSNorm row loops on typed arrays, shared by the cpu and wasm kernels.
 * Row sums accumulate in float64 (JavaScript numbers), so the result is at
 * least as close to the exact value as the float32 stock-op composition.
 * @module
 */
import type { HeapTask } from "../parallel/tasks.ts";
import { forEachBlock, reductionBlocks } from "../parallel/reduce.ts";
import { partRange } from "../parallel/split.ts";
import { stagedRows } from "../_wasm/staged.ts";
import { RMS_NORM_SIMD } from "./_simd_module.ts";

/** Whether rows of `n` floats take the SIMD passes (else the float64 JavaScript loops). */
const simdRows = (n: number) => n % 4 === 0 && RMS_NORM_SIMD.available;

/**
 * y = x · rsqrt(mean(x², row) + eps) · w for rows of length n.
 *
 * @example
 * ```ts
 * const y = new Float32Array(2);
 * rmsNormForwardRows(Float32Array.of(3, 4), Float32Array.of(1, 2), 0, 2, y); // y ≈ [0.849, 2.263]
 * ```
 */
export function rmsNormForwardRows(x: Float32Array, w: Float32Array, eps: number, n: number, y: Float32Array): void {
  for (let base = 0; base < x.length; base += n) {
    let s = 0;
    for (let j = base; j < base + n; j++) s += x[j] * x[j];
    const r = 1 / Math.sqrt(s / n + eps);
    for (let j = 0; j < n; j++) y[base + j] = x[base + j] * r * w[j];
  }
}

/**
 * Gradients of Σ dy ⊙ RMSNorm(x, w): with r = rsqrt(mean(x²) + eps) and
 * d = Σ dy·w·x per row, dx = r·w·dy − x·d·r³/n; dw (added into `dw`) = Σ_rows dy·x·r.
 *
 * @example
 * ```ts
 * const dx = new Float32Array(2);
 * const dw = new Float64Array(2);
 * rmsNormBackwardRows(Float32Array.of(1, 1), Float32Array.of(3, 4), Float32Array.of(1, 1), 0, 2, dx, dw);
 * ```
 */
export function rmsNormBackwardRows(
  dy: Float32Array,
  x: Float32Array,
  w: Float32Array,
  eps: number,
  n: number,
  dx: Float32Array,
  dw: Float64Array,
): void {
  for (let base = 0; base < x.length; base += n) {
    let s = 0;
    let d = 0;
    for (let j = 0; j < n; j++) {
      const v = x[base + j];
      s += v * v;
      d += dy[base + j] * w[j] * v;
    }
    const r = 1 / Math.sqrt(s / n + eps);
    const c = (d * r * r * r) / n;
    for (let j = 0; j < n; j++) {
      const v = x[base + j];
      const g = dy[base + j];
      dx[base + j] = r * w[j] * g - v * c;
      dw[j] += g * v * r;
    }
  }
}

/**
 * {@linkcode rmsNormForwardRows} as a heap-thread task, split over rows: args
 * `[x, w, y, rows, n, eps]` (element offsets into the heap).
 *
 * @example
 * ```ts
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
