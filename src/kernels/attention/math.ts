/**
 * Row passes of fused causal attention over score matrices `[S, S]` stored
 * one after another (one per batch × head): masking, the softmax of the
 * scaled, causally masked scores, and the softmax backward. The products around
 * them (q·kᵀ, p·v and the gradient products) run on the GEMM.
 * @module
 */
import { partRange } from "../parallel/split.ts";

/** What masked scores become before a stock softmax: the unfused path's -1e9, whose exp is exactly 0. */
const MASKED = -1e9;

/**
 * In place: the row softmax of the scaled scores `scale·s[i][j]` over
 * `j ≤ i`, and 0 above the diagonal (the causal mask).
 *
 * @example
 * ```ts
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
 * In place: `s[i][j] ← scale·s[i][j]` for `j ≤ i`, a value whose exp is 0
 * above the diagonal: the input of a row softmax.
 *
 * @example
 * ```ts
 * maskCausalRows(scores, 128, 64, 1 / Math.sqrt(32));
 * ```
 */
export function maskCausalRows(s: Float32Array, seq: number, matrices: number, scale: number): void {
  for (let b = 0; b < matrices; b++) {
    for (let i = 0; i < seq; i++) {
      const row = (b * seq + i) * seq;
      for (let j = 0; j <= i; j++) s[row + j] *= scale;
      s.fill(MASKED, row + i + 1, row + seq);
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

/**
 * {@linkcode maskCausalRows} as a heap-thread task, split over the score
 * matrices: args `[s, seq, matrices, scale]`.
 *
 * @example
 * ```ts
 * maskCausalTask(heap, Float64Array.of(0, 128, 64, 0.17677669), 0, 1);
 * ```
 */
export function maskCausalTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [s, seq, matrices, scale] = args;
  const [lo, hi] = partRange(matrices, part, parts);
  maskCausalRows(heap.subarray(s + lo * seq * seq, s + hi * seq * seq), seq, hi - lo, scale);
}

/**
 * {@linkcode softmaxBackwardRows} as a heap-thread task, split over the score
 * matrices: args `[p, dp, seq, matrices, scale]`.
 *
 * @example
 * ```ts
 * softmaxBackwardTask(heap, Float64Array.of(0, 1048576, 128, 64, 0.17677669), 0, 1);
 * ```
 */
export function softmaxBackwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [p, dp, seq, matrices, scale] = args;
  const [lo, hi] = partRange(matrices, part, parts);
  const size = seq * seq;
  const at = (offset: number) => heap.subarray(offset + lo * size, offset + hi * size);
  softmaxBackwardRows(at(p), at(dp), seq, hi - lo, scale);
}
