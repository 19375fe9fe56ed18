/**
 * Registering a family of fused kernels and their gradients, once per process.
 * @module
 */
import { tf } from "../../backend/tf.ts";

/**
 * A function that registers `kernels` (every backend's configs) and
 * `gradients` the first time it is called; a kernel or gradient some other
 * code registered first is left as it is.
 *
 * @example
 * ```ts
 * const register = fusedRegistrar([...RMS_NORM_KERNELS, ...RMS_NORM_WEBGPU_KERNELS], [RMS_NORM_GRADIENT]);
 * register();
 * ```
 */
export function fusedRegistrar(
  kernels: readonly tf.KernelConfig[],
  gradients: readonly tf.GradConfig[],
): () => void {
  let registered = false;
  return () => {
    if (registered) return;
    for (const config of kernels) {
      if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
    }
    for (const config of gradients) {
      if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
    }
    registered = true;
  };
}
