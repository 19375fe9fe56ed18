/**
 * RMSNorm, as Llama and OLMoE compute it in float32: the fused kernel of
 * src/kernels/rms_norm/ where the backend has one, the stock-op composition
 * elsewhere.
 * @module
 */
import { tf } from "../backend/tf.ts";
import { FUSED_RMS_NORM, fusedOrStock, fusedRmsNorm } from "../kernels/rms_norm/mod.ts";

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
