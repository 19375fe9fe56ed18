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
import { partRange } from "../parallel/split.ts";
import { stagedRows } from "../_wasm/staged.ts";
import { ATTENTION_SIMD } from "./_simd_module.ts";

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

/** Whether rows of `seq` floats take the SIMD passes (else the float64 JavaScript loops). */
const simdRows = (seq: number) => seq % 4 === 0 && ATTENTION_SIMD.available;

/**
 * {@linkcode softmaxCausalRows} as a heap-thread task, in place, split over
 * the score matrices: args `[s, seq, matrices, scale]`. On staged rows in
 * SIMD (`./_simd_module.ts`) when `seq` is a multiple of 4.
 *
 * @example
 * ```ts
 * softmaxCausalTask(heap, Float64Array.of(0, 128, 64, 0.17677669), 0, 1);
 * ```
 */
export function softmaxCausalTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [s, seq, matrices, scale] = args;
  const [lo, hi] = partRange(matrices, part, parts);
  if (simdRows(seq)) {
    const arrays = { inputs: [s], outputs: [s], rowFloats: seq };
    stagedRows(ATTENTION_SIMD, heap, arrays, lo * seq, hi * seq, (simd, b, rows, first) => {
      simd.fwd(b.inputs[0], b.outputs[0], rows, first % seq, seq, scale);
    });
    return;
  }
  softmaxCausalRows(heap.subarray(s + lo * seq * seq, s + hi * seq * seq), seq, hi - lo, scale);
}

/**
 * {@linkcode softmaxBackwardRows} as a heap-thread task, in place over `dp`,
 * split over the score matrices: args `[p, dp, seq, matrices, scale]`. On
 * staged rows in SIMD when `seq` is a multiple of 4; there only the causal
 * triangle of `dp` is read.
 *
 * @example
 * ```ts
 * softmaxBackwardTask(heap, Float64Array.of(0, 1048576, 128, 64, 0.17677669), 0, 1);
 * ```
 */
export function softmaxBackwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [p, dp, seq, matrices, scale] = args;
  const [lo, hi] = partRange(matrices, part, parts);
  if (simdRows(seq)) {
    const arrays = { inputs: [p, dp], outputs: [dp], rowFloats: seq };
    stagedRows(ATTENTION_SIMD, heap, arrays, lo * seq, hi * seq, (simd, b, rows, first) => {
      simd.bwd(b.inputs[0], b.inputs[1], b.outputs[0], rows, first % seq, seq, scale);
    });
    return;
  }
  const size = seq * seq;
  const at = (offset: number) => heap.subarray(offset + lo * size, offset + hi * size);
  softmaxBackwardRows(at(p), at(dp), seq, hi - lo, scale);
}
