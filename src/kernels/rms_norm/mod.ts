/**
 * RMSNorm as one fused kernel forward and one backward on `cpu`, `wasm` and
 * `webgpu` (WGSL), registered when this module loads, differentiable with
 * respect to `x` and the weight. The model's `rmsNorm` (src/model/rmsnorm.ts)
 * calls it where the backend has the kernel.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import { fusedRmsNorm } from "./mod.ts";
 * const y = fusedRmsNorm(tf.randomNormal([4, 16]), tf.ones([16]), 1e-5);
 * ```
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { UsageError } from "../../util/errors.ts";
import { hasKernel, registerKernels } from "../registry.ts";
import {
  FUSED_RESIDUAL_RMS_NORM,
  FUSED_RMS_NORM,
  RESIDUAL_RMS_NORM_GRADIENT,
  RMS_NORM_GRADIENT,
  RMS_NORM_KERNELS,
} from "./kernel.ts";
import { RMS_NORM_WEBGPU_KERNELS } from "./webgpu.ts";

export { fusedOrStock } from "../registry.ts";
export {
  FUSED_RESIDUAL_RMS_NORM,
  FUSED_RESIDUAL_RMS_NORM_GRAD,
  FUSED_RMS_NORM,
  FUSED_RMS_NORM_GRAD,
} from "./kernel.ts";
export { rmsNormBackwardRows, rmsNormForwardRows } from "./math.ts";
// The WGSL programs, for tests that size their grids without a GPU.
export {
  rmsNormDwTerm,
  RmsNormDxProgram,
  RmsNormForwardProgram,
  RmsNormResidualDxProgram,
  RmsNormStatsProgram,
} from "./_webgpu_programs.ts";

registerKernels({
  kernels: [...RMS_NORM_KERNELS, ...RMS_NORM_WEBGPU_KERNELS],
  gradients: [RMS_NORM_GRADIENT, RESIDUAL_RMS_NORM_GRADIENT],
});

/**
 * Whether the fused RMSNorm kernel is registered for the active (or given) backend.
 *
 * @example
 * ```ts
 * hasFusedRmsNorm("cpu"); // true
 * ```
 */
export function hasFusedRmsNorm(backend: string = tf.getBackend()): boolean {
  return hasKernel(FUSED_RMS_NORM, backend);
}

/**
 * RMSNorm(x) = x · rsqrt(mean(x², last axis) + eps) · w in one kernel; `x`
 * of any rank ≥ 1 (float32), `w` of shape [last axis of x]. Throws when the
 * active backend has no fused kernel (see {@linkcode hasFusedRmsNorm}).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const y = fusedRmsNorm(tf.randomNormal([4, 8]), tf.ones([8]), 1e-5);
 * ```
 */
export function fusedRmsNorm(x: tf.Tensor, w: tf.Tensor, eps: number): tf.Tensor {
  if (x.dtype !== "float32" || w.dtype !== "float32") {
    throw new UsageError(`rmsNorm: x and w must be float32, got ${x.dtype} and ${w.dtype}`);
  }
  const n = x.shape[x.rank - 1];
  if (x.rank < 1 || w.rank !== 1 || w.shape[0] !== n) {
    throw new UsageError(`rmsNorm: w must be [${n ?? "last axis of x"}], got [${w.shape}] for x of shape [${x.shape}]`);
  }
  if (!(eps >= 0 && Number.isFinite(eps))) throw new UsageError(`rmsNorm: eps must be ≥ 0 and finite, got ${eps}`);
  if (!hasFusedRmsNorm()) throw new Error(`no fused RMSNorm kernel on backend '${tf.getBackend()}'`);
  return tf.tidy(() => {
    const x2 = x.rank === 2 ? x : tf.reshape(x, [x.size / n, n]);
    const y = tf.engine().runKernel<tf.Tensor>(FUSED_RMS_NORM, { x: x2, w }, { eps });
    return x.rank === 2 ? y : tf.reshape(y, x.shape);
  });
}

/**
 * `[h + a, RMSNorm(h + a)]` in one kernel (the residual stream's add and
 * the next norm; webgpu only, see {@linkcode FUSED_RESIDUAL_RMS_NORM}):
 * h and a [rows, n] float32, w [n]. Throws when the active backend has no
 * such kernel.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * declare const h: tf.Tensor2D, a: tf.Tensor2D, w: tf.Tensor1D;
 * const [sum, normed] = fusedResidualRmsNorm(h, a, w, 1e-5);
 * ```
 */
export function fusedResidualRmsNorm(h: tf.Tensor2D, a: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D[] {
  if (String(h.shape) !== String(a.shape) || w.shape[0] !== h.shape[1]) {
    throw new UsageError(`residual rmsNorm: h [${h.shape}], a [${a.shape}] and w [${w.shape}] do not fit`);
  }
  if (!hasKernel(FUSED_RESIDUAL_RMS_NORM)) {
    throw new Error(`no fused residual RMSNorm kernel on backend '${tf.getBackend()}'`);
  }
  return tf.tidy(() => {
    const [s, y] = tf.engine().runKernel<tf.Tensor2D[]>(FUSED_RESIDUAL_RMS_NORM, { h, a, w }, { eps });
    return [s, y];
  });
}
