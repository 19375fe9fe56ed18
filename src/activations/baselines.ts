/**
 * Baseline activations with the PolyCom calling style.
 * @module
 */
import { tf } from "../backend/tf.ts";
import { fusedSwiGLU } from "../kernels/swiglu/mod.ts";

const INV_SQRT2 = Math.SQRT1_2;

/**
 * GELU in the exact erf form, x · Φ(x), as Megatron's default.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * geluExact(tf.tensor1d([0, 1]));
 * ```
 */
export function geluExact(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, INV_SQRT2)), 1)));
}

/**
 * ReLU².
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * relu2(tf.tensor1d([-1, 3])); // [0, 9]
 * ```
 */
export function relu2(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.square(tf.relu(x)));
}

/**
 * SiLU, x · sigmoid(x).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * silu(tf.tensor1d([0])); // [0]
 * ```
 */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/**
 * SwiGLU's activation: silu(gate) · up (one fused kernel per direction on cpu/wasm).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * swiglu(tf.tensor1d([1]), tf.tensor1d([2]));
 * ```
 */
export function swiglu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  return fusedSwiGLU(gate, up);
}
