/**
 * Global-norm gradient clipping in one kernel call on `cpu` and `wasm`
 * (registered when this module loads). On `webgpu` the optimizer clips
 * inside its flat step (kernels/adamw `flatAdamW`), so there is no
 * separate webgpu kernel; `clipByGlobalNorm` runs stock ops there.
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

export { type ClipAttrs, FUSED_CLIP_BY_GLOBAL_NORM } from "./kernel.ts";
export { clipFactor, scaleInto } from "./math.ts";

registerKernels({ kernels: CLIP_KERNELS });

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
