/**
 * Softmax cross-entropy as one fused kernel forward and one backward on
 * `cpu`, `wasm` (SIMD exponentials on the heap threads) and `webgpu` (WGSL),
 * registered when this module loads. It
 * never builds a softmax or one-hot matrix in the forward pass and is
 * differentiable with respect to the logits. The model's
 * `softmaxCrossEntropy` (src/model/_ops.ts) calls it where the backend has
 * the kernel.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import { fusedSoftmaxCrossEntropy } from "./mod.ts";
 * const loss = fusedSoftmaxCrossEntropy(tf.zeros([2, 4]), tf.tensor1d([1, 3], "int32")); // log 4
 * ```
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { UsageError } from "../../util/errors.ts";
import { hasKernel, registerKernels } from "../registry.ts";
import { CROSS_ENTROPY_GRADIENT, CROSS_ENTROPY_KERNELS, FUSED_CROSS_ENTROPY } from "./kernel.ts";
import { CROSS_ENTROPY_WEBGPU_KERNELS } from "./webgpu.ts";

export { fusedOrStock } from "../registry.ts";
export { FUSED_CROSS_ENTROPY, FUSED_CROSS_ENTROPY_GRAD } from "./kernel.ts";
export { crossEntropyBackwardRows, crossEntropyForwardRows } from "./math.ts";
// The WGSL programs, for tests that size their grids without a GPU.
export { CrossEntropyForwardProgram, CrossEntropyGradProgram } from "./_webgpu_programs.ts";

registerKernels({
  kernels: [...CROSS_ENTROPY_KERNELS, ...CROSS_ENTROPY_WEBGPU_KERNELS],
  gradients: [CROSS_ENTROPY_GRADIENT],
});

/**
 * Whether the fused cross-entropy kernel is registered for the active (or given) backend.
 *
 * @example
 * ```ts
 * hasFusedCrossEntropy("cpu"); // true
 * ```
 */
export function hasFusedCrossEntropy(backend: string = tf.getBackend()): boolean {
  return hasKernel(FUSED_CROSS_ENTROPY, backend);
}

/**
 * Each row's softmax cross-entropy, log Σ exp(logits[i]) − logits[i, labels[i]],
 * for logits [rows, V] (float32) and labels [rows] (int32, each in [0, V)).
 * Throws when the active backend has no fused kernel.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * fusedCrossEntropyRows(tf.zeros([2, 4]), tf.tensor1d([1, 3], "int32")); // [log 4, log 4]
 * ```
 */
export function fusedCrossEntropyRows(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor1D {
  if (logits.rank !== 2 || logits.dtype !== "float32") {
    throw new UsageError(`crossEntropy: logits must be float32 [rows, vocab], got ${logits.dtype} [${logits.shape}]`);
  }
  if (labels.rank !== 1 || labels.dtype !== "int32" || labels.shape[0] !== logits.shape[0]) {
    throw new UsageError(
      `crossEntropy: labels must be int32 [${logits.shape[0]}], got ${labels.dtype} [${labels.shape}]`,
    );
  }
  if (!hasFusedCrossEntropy()) throw new Error(`no fused cross-entropy kernel on backend '${tf.getBackend()}'`);
  return tf.engine().runKernel<tf.Tensor1D>(FUSED_CROSS_ENTROPY, { logits, labels }, {});
}

/**
 * Mean softmax cross-entropy of logits [rows, V] against int32 labels [rows].
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * fusedSoftmaxCrossEntropy(tf.zeros([2, 4]), tf.tensor1d([1, 3], "int32")); // log 4
 * ```
 */
export function fusedSoftmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(fusedCrossEntropyRows(logits, labels)));
}
