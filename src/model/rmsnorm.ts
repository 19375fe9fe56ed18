/**
 * RMSNorm, as Llama and OLMoE compute it in float32.
 * @module
 */
import { tf } from "../backend/tf.ts";

/**
 * RMSNorm(x) = x · rsqrt(mean(x², last axis) + eps) · w.
 *
 * @example
 * ```ts
 * const y = rmsNorm(tf.randomNormal([4, 8]), tf.ones([8]), 1e-5);
 * ```
 */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), weight);
  });
}
