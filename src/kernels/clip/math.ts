/**
 * Global-norm gradient clipping as loops: the norm of all gradients together
 * (summed in float64) and the clip factor `min(1, maxNorm / (norm + 1e-6))`;
 * and the wasm kernel's heap tasks (chunked sums of squares in SIMD, added in
 * float64, and the scaling).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */

/**
 * The global L2 norm of `grads` and the float32 clip factor for `maxNorm`.
 *
 * @example
 * ```ts
 * clipFactor([new Float32Array([3, 4])], 1); // { norm: 5, scale: ≈0.2 }
 * ```
 */
export function clipFactor(grads: readonly Float32Array[], maxNorm: number): { norm: number; scale: number } {
  let sum = 0;
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  }
  return clipFactorOf(sum, maxNorm);
}

/**
 * The norm and float32 clip factor from the sum of squares.
 *
 * @example
 * ```ts
 * clipFactorOf(25, 1); // { norm: 5, scale: ≈0.2 }
 * ```
 */
export function clipFactorOf(sum: number, maxNorm: number): { norm: number; scale: number } {
  const f = Math.fround;
  const norm = f(Math.sqrt(sum));
  return { norm, scale: Math.min(1, f(f(maxNorm) / f(norm + f(1e-6)))) };
}

/**
 * `out[i] = g[i] · scale` (float32).
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * scaleInto(Float32Array.of(3, 4), 0.5, out); // out = [1.5, 2]
 * ```
 */
export function scaleInto(g: Float32Array, scale: number, out: Float32Array): void {
  if (scale === 1) out.set(g);
  else for (let i = 0; i < g.length; i++) out[i] = g[i] * scale;
}
