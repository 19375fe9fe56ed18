/**
 * Causal multi-head self-attention, Llama/OLMoE style: bias-free q/k/v/o
 * projections, optional QK-norm over the full q and k width (before the head
 * split), RoPE on each head, grouped-query attention (each key/value head
 * serves `heads / kvHeads` query heads), softmax with scale 1/sqrt(head_dim).
 * @module
 */
import { tf } from "../backend/tf.ts";
import { linear, linears } from "./_ops.ts";
import { rmsNorm } from "./rmsnorm.ts";
import { ropeAttention } from "../kernels/attention/mod.ts";

/** One layer's attention weights; projections stored `[in, out]`. */
export interface AttentionWeights {
  q: tf.Tensor2D;
  k: tf.Tensor2D;
  v: tf.Tensor2D;
  o: tf.Tensor2D;
  /** QK-norm gains, when the model has QK-norm. */
  qNorm?: tf.Tensor1D;
  kNorm?: tf.Tensor1D;
}

/** Shape and constants of an attention call. */
export interface AttentionShape {
  batch: number;
  seqLen: number;
  heads: number;
  /** Key/value heads (divides `heads`; equal to it without grouped-query attention). */
  kvHeads: number;
  ropeTheta: number;
  eps: number;
}

export { causalMask } from "../kernels/attention/mod.ts";

/**
 * Self-attention of `x [batch·seqLen, d]` (rows ordered batch-major) → `[batch·seqLen, d]`.
 *
 * @example
 * ```ts
 * import type { tf } from "../backend/tf.ts";
 * declare const x: tf.Tensor2D;
 * declare const weights: AttentionWeights;
 * const y = causalSelfAttention(x, weights, { batch: 2, seqLen: 16, heads: 4, kvHeads: 4, ropeTheta: 10000, eps: 1e-5 });
 * ```
 */
export function causalSelfAttention(x: tf.Tensor2D, w: AttentionWeights, shape: AttentionShape): tf.Tensor2D {
  return tf.tidy(() => {
    const { batch, seqLen, heads, kvHeads } = shape;
    let [q, k, v] = linears(x, [w.q, w.k, w.v]);
    if (w.qNorm && w.kNorm) {
      q = rmsNorm(q, w.qNorm, shape.eps) as tf.Tensor2D;
      k = rmsNorm(k, w.kNorm, shape.eps) as tf.Tensor2D;
    }
    const context = ropeAttention(q, k, v, { batch, seqLen, heads, kvHeads, ropeTheta: shape.ropeTheta });
    return linear(context, w.o);
  });
}
