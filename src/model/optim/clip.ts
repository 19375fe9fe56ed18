/**
 * Global-norm gradient clipping, as `torch.nn.utils.clip_grad_norm_`.
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { fusedClipByGlobalNorm, hasFusedClip } from "../../kernels/clip/mod.ts";

/**
 * The global L2 norm of all gradients and the gradients scaled by
 * `min(1, maxNorm / (norm + 1e-6))`. Stays on the device (no read).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const { clipped, norm } = clipByGlobalNorm([tf.ones([2, 2]), tf.ones([3])], 1.0); // norm: √7
 * ```
 */
export function clipByGlobalNorm(
  grads: tf.Tensor[],
  maxNorm: number | null,
): { clipped: tf.Tensor[]; norm: tf.Scalar } {
  // One kernel (on cpu, wasm and webgpu) instead of three per gradient.
  const float32 = grads.every((g) => g.dtype === "float32");
  if (maxNorm !== null && float32 && grads.length > 0 && hasFusedClip()) return fusedClipByGlobalNorm(grads, maxNorm);
  return tf.tidy(() => {
    const squares = grads.map((g) => tf.sum(tf.square(g)));
    // Not tf.addN: on WebGPU it silently returns garbage beyond maxStorageBuffersPerShaderStage inputs
    // (8 on lavapipe); stack (concat) splits its inputs correctly.
    const norm = tf.sqrt(tf.sum(tf.stack(squares))) as tf.Scalar;
    if (maxNorm === null) return { clipped: grads.map((g) => tf.clone(g)), norm };
    const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, 1e-6)));
    return { clipped: grads.map((g) => tf.mul(g, scale)), norm };
  });
}
