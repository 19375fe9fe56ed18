/**
 * Global-norm gradient clipping in one kernel call on `cpu`, `wasm` and
 * `webgpu` (registered when this module loads).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * import { fusedClipByGlobalNorm, hasFusedClip } from "./mod.ts";
 * const grads = [tf.tensor1d([3, 4]), tf.ones([2, 2])];
 * if (hasFusedClip()) {
 *   const { clipped, norm } = fusedClipByGlobalNorm(grads, 1.0);
 * }
 * ```
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { hasKernel, registerKernels } from "../registry.ts";
import { CLIP_KERNELS, type ClipAttrs, FUSED_CLIP_BY_GLOBAL_NORM } from "./kernel.ts";
import { CLIP_WEBGPU_KERNELS } from "./webgpu.ts";

export { type ClipAttrs, FUSED_CLIP_BY_GLOBAL_NORM } from "./kernel.ts";
export { clipFactor, scaleInto } from "./math.ts";
// The WGSL programs, for tests that size their grids without a GPU.
export { ClipScaleProgram, NormProgram, SumSquaresProgram } from "./_webgpu_programs.ts";

registerKernels({ kernels: [...CLIP_KERNELS, ...CLIP_WEBGPU_KERNELS] });

/**
 * Whether the active (or given) backend has the fused clipping kernel.
 *
 * @example
 * ```ts
 * hasFusedClip("wasm"); // true
 * ```
 */
export function hasFusedClip(backend: string = tf.getBackend()): boolean {
  return hasKernel(FUSED_CLIP_BY_GLOBAL_NORM, backend);
}

/**
 * The global L2 norm of all `grads` and the gradients scaled by
 * `min(1, maxNorm / (norm + 1e-6))`, in one kernel call.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const g1 = tf.tensor1d([3]), g2 = tf.tensor1d([4]);
 * const { clipped, norm } = fusedClipByGlobalNorm([g1, g2], 1.0); // norm 5, clipped ≈ [[0.6], [0.8]]
 * ```
 */
export function fusedClipByGlobalNorm(
  grads: readonly tf.Tensor[],
  maxNorm: number,
): { clipped: tf.Tensor[]; norm: tf.Scalar } {
  const inputs: Record<string, tf.Tensor> = {};
  grads.forEach((g, i) => inputs[`g${i}`] = g);
  const attrs: ClipAttrs = { count: grads.length, maxNorm };
  const out = tf.engine().runKernel(FUSED_CLIP_BY_GLOBAL_NORM, inputs, attrs) as tf.Tensor[];
  return { clipped: out.slice(0, grads.length), norm: out[grads.length] as tf.Scalar };
}
