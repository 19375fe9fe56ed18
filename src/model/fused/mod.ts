/**
 * Fused kernels of the model, each one kernel forward and one backward,
 * registered with `tf.registerKernel` and `tf.registerGradient` when this
 * module loads: RMSNorm on `cpu`, `wasm` and `webgpu` (WGSL), softmax
 * cross-entropy on `cpu` and `webgpu` (on `wasm` the stock ops, with their
 * SIMD exponentials, measured faster).
 *
 * @example
 * ```ts
 * import { fusedRmsNorm, fusedSoftmaxCrossEntropy } from "./mod.ts";
 * import { tf } from "../../backend/mod.ts";
 * const y = fusedRmsNorm(tf.randomNormal([4, 16]), tf.ones([16]), 1e-5);
 * const loss = fusedSoftmaxCrossEntropy(tf.zeros([2, 4]), tf.tensor1d([1, 3], "int32"));
 * ```
 * @module
 */
export { fusedRmsNorm, hasFusedRmsNorm } from "./rmsnorm.ts";
export { fusedCrossEntropyRows, fusedSoftmaxCrossEntropy, hasFusedCrossEntropy } from "./cross_entropy.ts";
export { FUSED_CROSS_ENTROPY, FUSED_CROSS_ENTROPY_GRAD, FUSED_RMS_NORM, FUSED_RMS_NORM_GRAD } from "./_names.ts";
