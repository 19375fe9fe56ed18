/**
 * Causal self-attention's core, `softmax(scale·q·kᵀ + causal mask)·v`, on
 * q, k, v `[batch, heads, seq, headDim]`: one fused kernel forward and one
 * backward on `cpu`, `wasm` and `webgpu` (registered when this module
 * loads), the stock ops elsewhere. {@linkcode ropeAttention} is the model's
 * entry: the projections in row layout in, RoPE and grouped-query heads
 * inside, the context in row layout out (one webgpu kernel each way).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import { causalAttention } from "./mod.ts";
 * const q = tf.randomNormal([2, 4, 16, 8]) as tf.Tensor4D;
 * const y = causalAttention(q, q, q); // [2, 4, 16, 8]
 * ```
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { fusedOrStock, hasKernel, registerKernels } from "../registry.ts";
import { ropeHeads } from "../rope/mod.ts";
import {
  ATTENTION_KERNELS,
  FUSED_CAUSAL_ATTENTION,
  FUSED_CAUSAL_ATTENTION_GRAD,
  FUSED_ROPE_ATTENTION,
  FUSED_ROPE_ATTENTION_GRAD,
  type RopeAttentionAttrs,
} from "./kernel.ts";
import { ATTENTION_WEBGPU_KERNELS } from "./webgpu.ts";
import { FLASH_CAUSAL_ATTENTION_GRAD, FLASH_WEBGPU_KERNELS } from "./webgpu_flash.ts";
import { ROPE_ATTENTION_WEBGPU_KERNELS } from "./webgpu_rope.ts";

export {
  type CausalAttentionAttrs,
  FUSED_CAUSAL_ATTENTION,
  FUSED_CAUSAL_ATTENTION_GRAD,
  FUSED_ROPE_ATTENTION,
  FUSED_ROPE_ATTENTION_GRAD,
  type RopeAttentionAttrs,
} from "./kernel.ts";
export {
  FLASH_CAUSAL_ATTENTION_GRAD,
  FLASH_MIN_SEQ,
  flashGrids,
  overrideFlashMinSeq,
  usesFlash,
} from "./webgpu_flash.ts";
// The WGSL programs, for tests that size their grids without a GPU.
export { CausalRowProgram } from "./_webgpu_programs.ts";
export { type FlashLayout, type FlashPass, FlashProgram, flashTiles, StatsProgram } from "./_webgpu_flash_programs.ts";

registerKernels({
  kernels: [
    ...ATTENTION_KERNELS,
    ...ATTENTION_WEBGPU_KERNELS,
    ...FLASH_WEBGPU_KERNELS,
    ...ROPE_ATTENTION_WEBGPU_KERNELS,
  ],
});

type Saver = (tensors: tf.Tensor[]) => void;

/**
 * The fused kernels as one differentiable op. A custom gradient rather than
 * a registered one: the tape then sees a node with the one output `out`,
 * where a gradient registered for the two-output kernel would be handed a
 * zero-filled `[batch, heads, seq, seq]` dy for `probs` on every backward
 * pass (tfjs builds zeros for every output without a gradient; on wasm a 4 MiB
 * array made in JavaScript and copied into the heap at train-tiny, per layer).
 */
function fusedAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, scale: number): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | Saver)[]) => {
    const [q, k, v] = args as tf.Tensor4D[];
    const save = args[3] as Saver;
    const [out, saved] = tf.engine().runKernel<tf.Tensor[]>(FUSED_CAUSAL_ATTENTION, { q, k, v }, { scale });
    // The tiled webgpu kernel (long sequences) returns the rows' logsumexp [batch, heads, seq] in place of the
    // probabilities; its own backward recomputes them and also needs out.
    const flash = saved.rank === 3;
    save(flash ? [q, k, v, saved, out] : [q, k, v, saved]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, s: tf.Tensor[]) => {
        if (flash) {
          const inputs = { dy, q: s[0], k: s[1], v: s[2], lse: s[3], out: s[4] };
          return tf.engine().runKernel<tf.Tensor[]>(FLASH_CAUSAL_ATTENTION_GRAD, inputs, { scale });
        }
        const inputs = { dy, q: s[0], k: s[1], v: s[2], probs: s[3] };
        return tf.engine().runKernel<tf.Tensor[]>(FUSED_CAUSAL_ATTENTION_GRAD, inputs, { scale });
      },
    };
  });
  // A named scope: tf.profile lists the op's node under this name (it nests the kernels' own entries).
  return tf.tidy("causalAttention", () => op(q, k, v) as tf.Tensor4D);
}

/** Added to masked scores by the unfused path: exp underflows to exactly 0 in float32. */
const MASKED = -1e9;

/**
 * `[seqLen, seqLen]` additive causal mask: 0 where key ≤ query, -1e9 above the diagonal.
 *
 * @example
 * ```ts
 * causalMask(3); // [[0, -1e9, -1e9], [0, 0, -1e9], [0, 0, 0]]
 * ```
 */
export function causalMask(seqLen: number): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = tf.reshape(tf.range(0, seqLen, 1, "int32"), [seqLen, 1]);
    const cols = tf.reshape(tf.range(0, seqLen, 1, "int32"), [1, seqLen]);
    return tf.mul(tf.cast(tf.greater(cols, rows), "float32"), MASKED) as tf.Tensor2D;
  });
}

/**
 * Whether the active (or given) backend has the fused attention kernels.
 *
 * @example
 * ```ts
 * hasFusedAttention("wasm"); // true
 * ```
 */
export function hasFusedAttention(backend: string = tf.getBackend()): boolean {
  return hasKernel(FUSED_CAUSAL_ATTENTION, backend);
}

/**
 * `softmax(scale·q·kᵀ + mask)·v` with the causal mask, per batch and head;
 * `scale` defaults to 1/sqrt(headDim). `fused: false` forces the stock ops
 * (the reference the fused kernels are tested against).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * declare const q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D; // [batch, heads, seq, headDim]
 * const y = causalAttention(q, k, v);
 * ```
 */
export function causalAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  options: { scale?: number; fused?: boolean } = {},
): tf.Tensor4D {
  if (q.rank !== 4 || String(q.shape) !== String(k.shape) || String(q.shape) !== String(v.shape)) {
    // GQA repeats the key/value heads before calling this; cross-attention is not causal self-attention.
    throw new Error(
      `causalAttention needs q, k, v of one [batch, heads, seq, headDim] shape, got [${q.shape}], [${k.shape}], [${v.shape}]`,
    );
  }
  const scale = options.scale ?? 1 / Math.sqrt(q.shape[3]);
  const usable = (options.fused ?? true) && q.dtype === "float32";
  return fusedOrStock(FUSED_CAUSAL_ATTENTION, usable, () => fusedAttention(q, k, v, scale), () =>
    tf.tidy(() => {
      const seqLen = q.shape[2];
      // Scaling q before the product touches seqLen·d values instead of seqLen² per head.
      const qh = tf.mul(q, scale) as tf.Tensor4D;
      const kt = tf.transpose(k, [0, 1, 3, 2]) as tf.Tensor4D;
      const scores = tf.add(tf.matMul(qh, kt), causalMask(seqLen));
      return tf.matMul(tf.softmax(scores, -1) as tf.Tensor4D, v) as tf.Tensor4D;
    }));
}

/** The shape of a {@linkcode ropeAttention} call. */
export interface RopeAttentionShape {
  batch: number;
  seqLen: number;
  heads: number;
  /** Key/value heads (divides `heads`). */
  kvHeads: number;
  ropeTheta: number;
}

/** `[b, kvHeads, s, hd]` → `[b, heads, s, hd]`: query head h reads key/value head ⌊h / group⌋ (transformers' repeat_kv). */
function repeatKv(t: tf.Tensor4D, heads: number): tf.Tensor4D {
  const kvHeads = t.shape[1];
  if (kvHeads === heads) return t;
  const group = heads / kvHeads;
  const index = tf.tensor1d(Array.from({ length: heads }, (_, h) => Math.floor(h / group)), "int32");
  return tf.gather(t, index, 1) as tf.Tensor4D;
}

/** The row-layout kernels as one differentiable op (a custom gradient, as in {@linkcode fusedAttention}). */
function fusedRopeAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, attrs: RopeAttentionAttrs): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | Saver)[]) => {
    const [q, k, v] = args as tf.Tensor2D[];
    const save = args[3] as Saver;
    const [out, lse] = tf.engine().runKernel<tf.Tensor[]>(FUSED_ROPE_ATTENTION, { q, k, v }, attrs);
    save([q, k, v, out, lse]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, s: tf.Tensor[]) => {
        const inputs = { dy, q: s[0], k: s[1], v: s[2], out: s[3], lse: s[4] };
        return tf.engine().runKernel<tf.Tensor[]>(FUSED_ROPE_ATTENTION_GRAD, inputs, attrs);
      },
    };
  });
  return tf.tidy("ropeAttention", () => op(q, k, v) as tf.Tensor2D);
}

/**
 * Causal attention of the projections in row layout (rows batch-major): q
 * `[batch·seqLen, heads·headDim]`, k and v `[batch·seqLen, kvHeads·headDim]`
 * → the context `[batch·seqLen, heads·headDim]`, RoPE on q and k, query head
 * h reading key/value head ⌊h / (heads / kvHeads)⌋, scale 1/sqrt(headDim).
 * On webgpu one kernel each way (no transposes); elsewhere RoPE with the
 * head transpose, the key/value heads repeated, {@linkcode causalAttention}
 * and the transpose back.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const q = tf.randomNormal([2 * 16, 4 * 8]) as tf.Tensor2D;
 * const kv = tf.randomNormal([2 * 16, 2 * 8]) as tf.Tensor2D;
 * const shape = { batch: 2, seqLen: 16, heads: 4, kvHeads: 2, ropeTheta: 10000 };
 * const context = ropeAttention(q, kv, kv, shape); // [32, 32]
 * ```
 */
export function ropeAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, shape: RopeAttentionShape): tf.Tensor2D {
  const { batch, seqLen, heads, kvHeads } = shape;
  const d = q.shape[1];
  const headDim = d / heads;
  const attrs: RopeAttentionAttrs = {
    batch,
    seqLen,
    heads,
    kvHeads,
    theta: shape.ropeTheta,
    scale: 1 / Math.sqrt(headDim),
  };
  const usable = q.dtype === "float32" && headDim % 2 === 0;
  return fusedOrStock(FUSED_ROPE_ATTENTION, usable, () => fusedRopeAttention(q, k, v, attrs), () =>
    tf.tidy(() => {
      const split = (t: tf.Tensor2D, n: number) => tf.reshape(t, [batch, seqLen, n, headDim]) as tf.Tensor4D;
      const heads4 = (t: tf.Tensor4D) => tf.transpose(t, [0, 2, 1, 3]) as tf.Tensor4D;
      // RoPE (fused on cpu/wasm) returns [batch, heads, seq, headDim], the layout the core takes (k and v repeated).
      const qh = ropeHeads(split(q, heads), shape.ropeTheta);
      const kh = repeatKv(ropeHeads(split(k, kvHeads), shape.ropeTheta), heads);
      const vh = repeatKv(heads4(split(v, kvHeads)), heads);
      const context = tf.transpose(causalAttention(qh, kh, vh), [0, 2, 1, 3]);
      return tf.reshape(context, [batch * seqLen, d]) as tf.Tensor2D;
    }));
}
