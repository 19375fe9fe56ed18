/**
 * RMSNorm row loops on typed arrays, shared by the cpu and wasm kernels.
 * Row sums accumulate in float64 (JavaScript numbers), so the result is at
 * least as close to the exact value as the float32 stock-op composition.
 * @module
 */

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
