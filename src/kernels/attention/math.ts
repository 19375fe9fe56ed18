/**
 * Row passes of fused causal attention over score matrices `[S, S]` stored
 * one after another (one per batch × head): the softmax of the scaled,
 * causally masked scores, and the softmax backward. The JavaScript loops
 * (float64 sums) serve the cpu kernels and rows the SIMD module does not
 * take; the heap tasks run `./_simd_module.ts` on staged rows. The products
 * around them (q·kᵀ, p·v and the gradient products) run on the GEMM: these
 * tasks serve the wasm kernels when the products are not in the per-matrix
 * tasks of `./_tasks.ts` (no native BLAS, or `seq` not a multiple of 4).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */

/**
 * In place: the row softmax of the scaled scores `scale·s[i][j]` over
 * `j ≤ i`, and 0 above the diagonal (the causal mask).
 *
 * @example
 * ```ts
 * declare const scores: Float32Array; // 64 matrices of [128, 128]
 * softmaxCausalRows(scores, 128, 64, 1 / Math.sqrt(32));
 * ```
 */
export function softmaxCausalRows(s: Float32Array, seq: number, matrices: number, scale: number): void {
  for (let b = 0; b < matrices; b++) {
    for (let i = 0; i < seq; i++) {
      const row = (b * seq + i) * seq;
      let max = -Infinity;
      for (let j = 0; j <= i; j++) {
        const x = s[row + j] * scale;
        if (x > max) max = x;
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) {
        const e = Math.exp(s[row + j] * scale - max);
        s[row + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j <= i; j++) s[row + j] *= inv;
      s.fill(0, row + i + 1, row + seq);
    }
  }
}

/**
 * Softmax backward in place over `dp` (the gradient of the probabilities):
 * `ds = scale · p ⊙ (dp − Σ_j dp⊙p)`, which is the gradient of the raw
 * scores `q·kᵀ` (masked entries have p = 0 and get 0).
 *
 * @example
 * ```ts
 * declare const probs: Float32Array, dProbs: Float32Array; // 64 matrices of [128, 128] each
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
