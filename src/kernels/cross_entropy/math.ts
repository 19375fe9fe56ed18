/**
 * Softmax cross-entropy row loops: on typed arrays for the cpu kernels (sums
 * in float64), and as heap-thread tasks for the wasm kernels (SIMD passes of
 * `_simd_module.ts` on staged rows, the JavaScript loops where wasm SIMD is
 * missing).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */

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
    const lse = logSumExp(logits, base, v);
    const g = dy[i];
    const label = labels[i];
    for (let j = 0; j < v; j++) {
      const p = Math.exp(logits[base + j] - lse);
      dx[base + j] = g * (j === label ? p - 1 : p);
    }
  }
}
