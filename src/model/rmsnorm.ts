/**
 * RMSNorm, as Llama and OLMoE compute it in float32: the fused kernel of
 * src/kernels/rms_norm/ where the backend has one, the stock-op composition
 * elsewhere.
 * @module
 */
import { tf } from "../backend/tf.ts";
import {
  FUSED_RESIDUAL_RMS_NORM,
  FUSED_RMS_NORM,
  fusedOrStock,
  fusedResidualRmsNorm,
  fusedRmsNorm,
} from "../kernels/rms_norm/mod.ts";

/**
 * RMSNorm(x) = x · rsqrt(mean(x², last axis) + eps) · w.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * const y = rmsNorm(tf.randomNormal([4, 8]), tf.ones([8]), 1e-5);
 * ```
 */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  return fusedOrStock(
    FUSED_RMS_NORM,
    x.size > 0,
    () => fusedRmsNorm(x, weight, eps),
    () => rmsNormStock(x, weight, eps),
  );
}

/**
 * The residual stream's add and the norm after it: `[h + a, rmsNorm(h + a)]`,
 * one kernel each way on webgpu, elsewhere the add and {@linkcode rmsNorm}.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * const [sum, normed] = addRmsNorm(tf.ones([2, 4]), tf.ones([2, 4]), tf.ones([4]), 1e-5);
 * ```
 */
export function addRmsNorm(
  h: tf.Tensor2D,
  a: tf.Tensor2D,
  weight: tf.Tensor1D,
  eps: number,
): [tf.Tensor2D, tf.Tensor2D] {
  const fusable = h.size > 0 && h.dtype === "float32" && a.dtype === "float32" && weight.dtype === "float32";
  return fusedOrStock(
    FUSED_RESIDUAL_RMS_NORM,
    fusable && String(h.shape) === String(a.shape),
    () => fusedResidualRmsNorm(h, a, weight, eps) as [tf.Tensor2D, tf.Tensor2D],
    () => {
      const sum = tf.add(h, a) as tf.Tensor2D;
      return [sum, rmsNorm(sum, weight, eps) as tf.Tensor2D];
    },
  );
}

/**
 * The same RMSNorm as a composition of stock tfjs ops (the fallback, and the
 * reference the fused kernels are tested and benchmarked against).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * const y = rmsNormStock(tf.randomNormal([4, 8]), tf.ones([8]), 1e-5);
 * ```
 */
export function rmsNormStock(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), weight);
  });
}
