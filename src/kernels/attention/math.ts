/**
 * Row passes of fused causal attention over score matrices `[S, S]` stored
 * one after another (one per batch × head): the softmax of the scaled,
 * causally masked scores, and the softmax backward. The products around
 * them (q·kᵀ, p·v and the gradient products) run on the GEMM.
 * @module
 */

/** Below exp's float32 underflow (-87.3): the SIMD exp and Math.exp give exactly 0. */
const MASKED = -1e30;

/**
 * In place: `s[i][j] ← scale·s[i][j] − max_j'≤i(scale·s[i][j'])` for `j ≤ i`
 * and a value whose exp is 0 above the diagonal. Returns nothing; the caller
 * exponentiates the whole buffer and then calls {@linkcode normalizeCausalRows}.
 *
 * @example
 * ```ts
 * shiftCausalRows(scores, 128, 64, 1 / Math.sqrt(32));
 * ```
 */
export function shiftCausalRows(s: Float32Array, seq: number, matrices: number, scale: number): void {
  for (let b = 0; b < matrices; b++) {
    for (let i = 0; i < seq; i++) {
      const row = (b * seq + i) * seq;
      let max = -Infinity;
      for (let j = 0; j <= i; j++) {
        const x = s[row + j] * scale;
        if (x > max) max = x;
      }
      for (let j = 0; j <= i; j++) s[row + j] = s[row + j] * scale - max;
      s.fill(MASKED, row + i + 1, row + seq);
    }
  }
}

/**
 * In place: each row `j ≤ i` divided by its sum (the masked part is 0 already).
 *
 * @example
 * ```ts
 * normalizeCausalRows(probs, 128, 64);
 * ```
 */
export function normalizeCausalRows(p: Float32Array, seq: number, matrices: number): void {
  for (let b = 0; b < matrices; b++) {
    for (let i = 0; i < seq; i++) {
      const row = (b * seq + i) * seq;
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += p[row + j];
      const inv = 1 / sum;
      for (let j = 0; j <= i; j++) p[row + j] *= inv;
    }
  }
}

/**
 * Exponentials with Math.exp (the cpu backend's; wasm uses its SIMD exp).
 *
 * @example
 * ```ts
 * expInPlace(scores);
 * ```
 */
export function expInPlace(s: Float32Array): void {
  for (let i = 0; i < s.length; i++) s[i] = Math.exp(s[i]);
}

/**
 * Softmax backward in place over `dp` (the gradient of the probabilities):
 * `ds = scale · p ⊙ (dp − Σ_j dp⊙p)`, which is the gradient of the raw
 * scores `q·kᵀ` (masked entries have p = 0 and get 0).
 *
 * @example
 * ```ts
 * softmaxBackwardRows(probs, dProbs, 128, 64, 1 / Math.sqrt(32));
 * ```
 */
export function softmaxBackwardRows(p: Float32Array, dp: Float32Array, seq: number, matrices: number, scale: number) {
  for (let b = 0; b < matrices; b++) {
    for (let i = 0; i < seq; i++) {
      const row = (b * seq + i) * seq;
      let dot = 0;
      for (let j = 0; j <= i; j++) dot += dp[row + j] * p[row + j];
      for (let j = 0; j <= i; j++) dp[row + j] = scale * p[row + j] * (dp[row + j] - dot);
      dp.fill(0, row + i + 1, row + seq);
    }
  }
}
