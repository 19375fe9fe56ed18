/**
 * The PolyCom activations (PolyNorm, PolyReLU) as fused kernels, one forward
 * and one backward on `cpu`, `wasm` (SIMD for orders up to 4) and `webgpu`
 * (WGSL), registered with `tf.registerKernel` and `tf.registerGradient` when
 * this module loads; differentiable with respect to `x` and the coefficients
 * `a`. The public ops `polyNorm` / `polyReLU` (src/activations/polycom.ts)
 * check their inputs and call these where the backend has the kernel.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import { fusedPolyCom, hasFusedKernel, POLY_NORM } from "./mod.ts";
 * if (hasFusedKernel(POLY_NORM)) {
 *   const y = fusedPolyCom(POLY_NORM, tf.randomNormal([4, 16]), tf.tensor1d([0, 0.5, 0.5]), { eps: 1e-6 });
 * }
 * ```
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { hasKernel, registerKernels } from "../registry.ts";
import { type POLY_NORM, type POLY_RELU, POLYCOM_GRADIENTS, POLYCOM_KERNELS } from "./kernel.ts";
import { POLYCOM_WEBGPU_KERNELS } from "./webgpu.ts";

export { fusedOrStock } from "../registry.ts";
export { POLY_NORM, POLY_NORM_GRAD, POLY_RELU, POLY_RELU_GRAD } from "./kernel.ts";
export { polyNormBackwardRows, polyNormForwardRows, polyReLUBackwardFlat, polyReLUForwardFlat } from "./math.ts";
// The WGSL programs, for tests that size their grids without a GPU.
export { PolyNormDxProgram, PolyNormForwardProgram, PolyNormStatsProgram } from "./_webgpu_programs.ts";
export { PolyReLUDaProgram, PolyReLUDxProgram, PolyReLUForwardProgram } from "./_webgpu_relu_programs.ts";

registerKernels({ kernels: [...POLYCOM_KERNELS, ...POLYCOM_WEBGPU_KERNELS], gradients: POLYCOM_GRADIENTS });

/**
 * Whether a fused kernel is registered for the active (or given) backend.
 *
 * @example
 * ```ts
 * hasFusedKernel("PolyNorm", "cpu"); // true
 * ```
 */
export function hasFusedKernel(kernelName: typeof POLY_NORM | typeof POLY_RELU, backend = tf.getBackend()): boolean {
  return hasKernel(kernelName, backend);
}

/**
 * Runs a fused forward kernel on x flattened to [rows, n] (float32, rank ≥ 1)
 * and restores x's shape; `a` is [a0..ar] (float32). The caller checks the
 * inputs and that the backend has the kernel.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const y = fusedPolyCom("PolyReLU", tf.tensor1d([-1, 2]), tf.tensor1d([0, 1, 1]), {}); // [0, 6]
 * ```
 */
export function fusedPolyCom(
  kernelName: typeof POLY_NORM | typeof POLY_RELU,
  x: tf.Tensor,
  a: tf.Tensor1D,
  attrs: Record<string, number>,
): tf.Tensor {
  return tf.tidy(() => {
    const n = x.shape[x.rank - 1];
    const x2 = x.rank === 2 ? x : tf.reshape(x, [x.size / n, n]);
    const y = tf.engine().runKernel<tf.Tensor>(kernelName, { x: x2, a }, attrs);
    return x.rank === 2 ? y : tf.reshape(y, x.shape);
  });
}
