/**
 * Gradients of the fused forward kernels: each runs its backend's fused
 * gradient kernel once.
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { FUSED_CROSS_ENTROPY, FUSED_CROSS_ENTROPY_GRAD, FUSED_RMS_NORM, FUSED_RMS_NORM_GRAD } from "./_names.ts";

const rmsNormGradient: tf.GradConfig["gradFunc"] = (dy, saved, attrs) => {
  const [x, w] = saved;
  // Both gradients come from one kernel run, so it runs here rather than in
  // the per-input closures; the engine's tidy disposes what is not returned.
  const [dx, parts] = tf.engine().runKernel<tf.Tensor[]>(FUSED_RMS_NORM_GRAD, { dy: dy as tf.Tensor, x, w }, attrs);
  return {
    x: () => dx,
    w: () => (parts.shape[0] === 1 ? tf.reshape(parts, w.shape) : tf.sum(parts, 0)),
  };
};

const crossEntropyGradient: tf.GradConfig["gradFunc"] = (dy, saved) => {
  const [logits, labels] = saved;
  return {
    logits: () => tf.engine().runKernel<tf.Tensor>(FUSED_CROSS_ENTROPY_GRAD, { dy: dy as tf.Tensor, logits, labels }),
    // Labels are integers: no gradient flows to them.
    labels: () => tf.zeros(labels.shape),
  };
};

/**
 * Gradient configs of the fused forward kernels, for `tf.registerGradient`.
 *
 * @example
 * ```ts
 * for (const config of FUSED_GRADIENTS) tf.registerGradient(config);
 * ```
 */
export const FUSED_GRADIENTS: tf.GradConfig[] = [
  { kernelName: FUSED_RMS_NORM, inputsToSave: ["x", "w"], gradFunc: rmsNormGradient },
  { kernelName: FUSED_CROSS_ENTROPY, inputsToSave: ["logits", "labels"], gradFunc: crossEntropyGradient },
];
