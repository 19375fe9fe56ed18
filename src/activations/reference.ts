/**
 * PolyCom activations as compositions of stock tfjs ops. These are the
 * references the fused kernels are tested against, and they work on every
 * backend with automatic differentiation.
 * @module
 */
import { tf } from "../backend/tf.ts";

/**
 * PolyReLU(x) = a0 + Σ_{i=1..r} a_i · relu(x)^i, element-wise; r = a.length - 1.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * const y = polyReLUReference(tf.tensor1d([-1, 2]), tf.tensor1d([0, 1 / 3, 1 / 3, 1 / 3]));
 * ```
 */
export function polyReLUReference(x: tf.Tensor, a: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const r = a.shape[0] - 1;
    const base = tf.relu(x);
    let power: tf.Tensor = base;
    let out: tf.Tensor = tf.add(tf.zerosLike(x), a.slice(0, 1));
    for (let i = 1; i <= r; i++) {
      if (i > 1) power = tf.mul(power, base);
      out = tf.add(out, tf.mul(power, a.slice(i, 1)));
    }
    return out;
  });
}

/**
 * PolyNorm(x) = a0 + Σ_{i=1..r} a_i · N(x^i), with N(z) = z / sqrt(mean(z², last axis) + eps).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * const y = polyNormReference(tf.randomNormal([2, 8]), tf.tensor1d([0, 1 / 3, 1 / 3, 1 / 3]));
 * ```
 */
export function polyNormReference(x: tf.Tensor, a: tf.Tensor1D, eps = 1e-6): tf.Tensor {
  return tf.tidy(() => {
    const r = a.shape[0] - 1;
    let power: tf.Tensor = x;
    let out: tf.Tensor = tf.add(tf.zerosLike(x), a.slice(0, 1));
    for (let i = 1; i <= r; i++) {
      if (i > 1) power = tf.mul(power, x);
      const meanSquare = tf.mean(tf.square(power), -1, true);
      const normed = tf.mul(power, tf.rsqrt(tf.add(meanSquare, eps)));
      out = tf.add(out, tf.mul(normed, a.slice(i, 1)));
    }
    return out;
  });
}
