/**
 * RoPE fused with the head transpose: `[batch, seq, heads, headDim]` →
 * rotated `[batch, heads, seq, headDim]` (the layout the attention core
 * takes), one kernel forward and one backward on `cpu`, `wasm` and
 * `webgpu` (registered when this module loads), the stock ops elsewhere.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import { ropeHeads } from "./mod.ts";
 * const q = ropeHeads(tf.randomNormal([2, 16, 4, 8]) as tf.Tensor4D, 10000); // [2, 4, 16, 8]
 * ```
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { hasKernel, registerKernels } from "../registry.ts";
import { FUSED_ROPE_HEADS, ROPE_GRADIENT, ROPE_KERNELS, type RopeAttrs } from "./kernel.ts";
import { ropeTables } from "./math.ts";
import { ROPE_WEBGPU_KERNELS } from "./webgpu.ts";

export { FUSED_ROPE_HEADS, FUSED_ROPE_HEADS_GRAD, type RopeAttrs } from "./kernel.ts";
export { type RopeDims, ropeHeadsBackward, ropeHeadsForward, type RopeTables, ropeTables } from "./math.ts";

registerKernels({ kernels: [...ROPE_KERNELS, ...ROPE_WEBGPU_KERNELS], gradients: [ROPE_GRADIENT] });

/**
 * Whether the active (or given) backend has the fused RoPE kernels.
 *
 * @example
 * ```ts
 * hasFusedRope("wasm"); // true
 * ```
 */
export function hasFusedRope(backend: string = tf.getBackend()): boolean {
  return hasKernel(FUSED_ROPE_HEADS, backend);
}

/**
 * rotate_half: `[x1, x2] → [-x2, x1]` over the last axis.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * rotateHalf(tf.tensor1d([1, 2, 3, 4])); // [-3, -4, 1, 2]
 * ```
 */
export function rotateHalf(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [x1, x2] = tf.split(x, 2, -1);
    return tf.concat([tf.neg(x2), x1], -1);
  });
}

/**
 * RoPE on `x [batch, seqLen, heads, headDim]` in the stock ops, same layout out.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const q = applyRope(tf.randomNormal([1, 16, 2, 8]) as tf.Tensor4D, 10000);
 * ```
 */
export function applyRope(x: tf.Tensor4D, theta: number): tf.Tensor4D {
  const [, seqLen, , headDim] = x.shape;
  const tables = ropeTables(seqLen, headDim, theta);
  return tf.tidy(() => {
    const cos = tf.tensor4d(tables.cos, [1, seqLen, 1, headDim]);
    const sin = tf.tensor4d(tables.sin, [1, seqLen, 1, headDim]);
    return tf.add(tf.mul(x, cos), tf.mul(rotateHalf(x), sin)) as tf.Tensor4D;
  });
}

/**
 * RoPE on `x [batch, seqLen, heads, headDim]`, returned as `[batch, heads,
 * seqLen, headDim]`: one fused kernel on cpu/wasm/webgpu (float32), the stock ops
 * and a transpose elsewhere or with `fused: false` (the reference the
 * kernels are tested against).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const q = tf.randomNormal([1, 16, 2, 8]) as tf.Tensor4D; // [batch, seq, heads, headDim]
 * const qh = ropeHeads(q, 10000); // [1, 2, 16, 8]
 * ```
 */
export function ropeHeads(x: tf.Tensor4D, theta: number, options: { fused?: boolean } = {}): tf.Tensor4D {
  if ((options.fused ?? true) && hasFusedRope() && x.dtype === "float32" && x.shape[3] % 2 === 0) {
    const attrs: RopeAttrs = { theta };
    return tf.engine().runKernel(FUSED_ROPE_HEADS, { x }, attrs) as tf.Tensor4D;
  }
  return tf.tidy(() => tf.transpose(applyRope(x, theta), [0, 2, 1, 3]) as tf.Tensor4D);
}
