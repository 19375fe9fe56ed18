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
import { ropeHeads } from "./rope.ts";
import { causalAttention } from "../kernels/attention/mod.ts";

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

/** `[b, kvHeads, s, hd]` → `[b, heads, s, hd]`: query head h reads key/value head ⌊h / group⌋ (transformers' repeat_kv). */
function repeatKv(t: tf.Tensor4D, heads: number): tf.Tensor4D {
  const kvHeads = t.shape[1];
  if (kvHeads === heads) return t;
  const group = heads / kvHeads;
  const index = tf.tensor1d(Array.from({ length: heads }, (_, h) => Math.floor(h / group)), "int32");
  return tf.gather(t, index, 1) as tf.Tensor4D;
}

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
    const d = x.shape[1];
    const headDim = d / heads;
    let [q, k, v] = linears(x, [w.q, w.k, w.v]);
    if (w.qNorm && w.kNorm) {
      q = rmsNorm(q, w.qNorm, shape.eps) as tf.Tensor2D;
      k = rmsNorm(k, w.kNorm, shape.eps) as tf.Tensor2D;
    }
    const split = (t: tf.Tensor2D, n: number) => tf.reshape(t, [batch, seqLen, n, headDim]) as tf.Tensor4D;
    const heads4 = (t: tf.Tensor4D) => tf.transpose(t, [0, 2, 1, 3]) as tf.Tensor4D;
    // RoPE (fused on cpu/wasm) returns [batch, heads, seq, headDim], the layout the core takes (k and v repeated).
    const qh = ropeHeads(split(q, heads), shape.ropeTheta);
    const kh = repeatKv(ropeHeads(split(k, kvHeads), shape.ropeTheta), heads);
    const vh = repeatKv(heads4(split(v, kvHeads)), heads);
    const context = tf.transpose(causalAttention(qh, kh, vh), [0, 2, 1, 3]);
    return linear(tf.reshape(context, [batch * seqLen, d]) as tf.Tensor2D, w.o);
  });
}
