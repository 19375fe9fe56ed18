/**
 * Softmax cross-entropy row loops on typed arrays for the cpu and wasm
 * kernels; sums in float64. On wasm the rows are split over the heap threads
 * (the tasks at the end), which is what makes the fused kernel pay there:
 * one thread's `Math.exp` per element costs more than tfjs's SIMD ops.
 * @module
 */
import { partRange } from "../parallel/split.ts";

function logSumExp(logits: Float32Array, base: number, v: number): number {
  let m = -Infinity;
  for (let j = base; j < base + v; j++) if (logits[j] > m) m = logits[j];
  let s = 0;
  for (let j = base; j < base + v; j++) s += Math.exp(logits[j] - m);
  return m + Math.log(s);
}

/**
 * Per-row loss log Σ exp(logits) − logits[label] over rows of length v.
 *
 * @example
 * ```ts
 * const out = new Float32Array(1);
 * crossEntropyForwardRows(Float32Array.of(0, 0), Int32Array.of(1), 2, out); // out[0] = log 2
 * ```
 */
export function crossEntropyForwardRows(logits: Float32Array, labels: Int32Array, v: number, out: Float32Array): void {
  for (let i = 0; i < labels.length; i++) {
    const base = i * v;
    out[i] = logSumExp(logits, base, v) - logits[base + labels[i]];
  }
}

/**
 * dlogits = dy_row · (softmax(logits) − onehot(label)), row by row.
 *
 * @example
 * ```ts
 * const dx = new Float32Array(2);
 * crossEntropyBackwardRows(Float32Array.of(1), Float32Array.of(0, 0), Int32Array.of(1), 2, dx); // [0.5, -0.5]
 * ```
 */
export function crossEntropyBackwardRows(
  dy: Float32Array,
  logits: Float32Array,
  labels: Int32Array,
  v: number,
  dx: Float32Array,
): void {
  for (let i = 0; i < labels.length; i++) {
    const base = i * v;
    let m = -Infinity;
    for (let j = base; j < base + v; j++) if (logits[j] > m) m = logits[j];
    // One exponential per element: the exps wait in dx until their sum is known.
    let s = 0;
    for (let j = base; j < base + v; j++) {
      const e = Math.exp(logits[j] - m);
      dx[j] = e;
      s += e;
    }
    const g = dy[i], scale = g / s;
    for (let j = base; j < base + v; j++) dx[j] *= scale;
    dx[base + labels[i]] -= g;
  }
}

/** Int32 view of `count` labels at float32 element offset `at` of the heap. */
const labelsAt = (heap: Float32Array, at: number, count: number) =>
  new Int32Array(heap.buffer, heap.byteOffset + at * 4, count);

/**
 * {@linkcode crossEntropyForwardRows} as a heap-thread task, split over rows:
 * args `[logits, labels, out, rows, v]` (element offsets; labels int32).
 *
 * @example
 * ```ts
 * crossEntropyForwardTask(heap, Float64Array.of(0, 512, 520, 2, 256), 0, 1);
 * ```
 */
export function crossEntropyForwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [logits, labels, out, rows, v] = args;
  const [lo, hi] = partRange(rows, part, parts);
  const x = heap.subarray(logits + lo * v, logits + hi * v);
  crossEntropyForwardRows(x, labelsAt(heap, labels + lo, hi - lo), v, heap.subarray(out + lo, out + hi));
}

/**
 * {@linkcode crossEntropyBackwardRows} as a heap-thread task, split over
 * rows: args `[dy, logits, labels, dx, rows, v]`.
 *
 * @example
 * ```ts
 * crossEntropyBackwardTask(heap, Float64Array.of(0, 2, 514, 516, 2, 256), 0, 1);
 * ```
 */
export function crossEntropyBackwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [dy, logits, labels, dx, rows, v] = args;
  const [lo, hi] = partRange(rows, part, parts);
  const at = (offset: number) => heap.subarray(offset + lo * v, offset + hi * v);
  crossEntropyBackwardRows(
    heap.subarray(dy + lo, dy + hi),
    at(logits),
    labelsAt(heap, labels + lo, hi - lo),
    v,
    at(dx),
  );
}
