/**
 * Gradients of the fused forward kernels: each runs its backend's fused
 * gradient kernel once and hands out dx and da (da summed over all rows).
 * @module
 */
import { tf } from "../backend/tf.ts";
import { POLY_NORM, POLY_NORM_GRAD, POLY_RELU, POLY_RELU_GRAD } from "./_kernel_names.ts";

function fusedGradient(gradKernel: string): tf.GradConfig["gradFunc"] {
  return (dy, saved, attrs) => {
    const [x, a] = saved;
    // Both gradients come from one kernel run, so it runs here rather than in
    // the per-input closures; the engine disposes whatever is not returned.
    const [dx, parts] = tf.engine().runKernel<tf.Tensor[]>(gradKernel, { dy: dy as tf.Tensor, x, a }, attrs);
    const width = a.shape[0];
    return {
      x: () => dx,
      a: () => {
        const used = parts.shape[1] === width ? parts : tf.slice(parts, [0, 0], [parts.shape[0], width]);
        return parts.shape[0] === 1 ? tf.reshape(used, [width]) : tf.sum(used, 0);
      },
    };
  };
}

/**
 * Gradient configs of the fused forward kernels, for `tf.registerGradient`.
 *
 * @example
 * ```ts
 * for (const config of FUSED_GRADIENTS) tf.registerGradient(config);
 * ```
 */
export const FUSED_GRADIENTS: tf.GradConfig[] = [
  { kernelName: POLY_NORM, inputsToSave: ["x", "a"], gradFunc: fusedGradient(POLY_NORM_GRAD) },
  { kernelName: POLY_RELU, inputsToSave: ["x", "a"], gradFunc: fusedGradient(POLY_RELU_GRAD) },
];
