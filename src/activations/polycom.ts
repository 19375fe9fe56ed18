/**
 * The PolyCom activations as fused ops: one kernel forward and one backward
 * on `cpu`, `wasm` and `webgpu` (the kernels of src/kernels/polycom/),
 * differentiable with respect to `x` and `a`. On any other backend they fall
 * back to the stock-op compositions of `reference.ts`.
 * @module
 */
import type { tf } from "../backend/tf.ts";
import { UsageError } from "../util/errors.ts";
import { fusedOrStock, fusedPolyCom, hasFusedKernel, POLY_NORM, POLY_RELU } from "../kernels/polycom/mod.ts";
import { polyNormReference, polyReLUReference } from "./reference.ts";

export { hasFusedKernel };

/** Highest order r the fused kernels accept (a has at most r + 1 = 9 entries). */
export const MAX_ORDER = 8;

/** PolyNorm's default eps, as in the official PyTorch code. */
export const POLY_NORM_EPS = 1e-6;

/** The eps polyNorm accepts: sqrt(eps) must be a normal float32 for the WebGPU kernels. */
export const EPS_RANGE = [1e-30, 1e10] as const;

function checkInputs(op: string, x: tf.Tensor, a: tf.Tensor1D): void {
  if (x.dtype !== "float32") throw new UsageError(`${op}: x must be float32, got ${x.dtype}`);
  if (x.rank < 1) throw new UsageError(`${op}: x must have at least one axis, got a scalar`);
  if (a.rank !== 1 || a.dtype !== "float32") {
    throw new UsageError(`${op}: a must be a float32 vector [a0..ar], got ${a.dtype} of shape [${a.shape}]`);
  }
  const order = a.shape[0] - 1;
  if (order < 1 || order > MAX_ORDER) {
    throw new UsageError(`${op}: a must hold 2 to ${MAX_ORDER + 1} coefficients [a0..ar], got ${a.shape[0]}`);
  }
}

/**
 * PolyReLU(x) = a0 + Σ_{i=1..r} a_i · relu(x)^i, element-wise, with
 * a = [a0, a1, ..., ar] in ascending powers (r = a.length - 1, 1 ≤ r ≤ 8).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * const y = polyReLU(tf.tensor1d([-1, 2]), tf.tensor1d([0, 1 / 3, 1 / 3, 1 / 3]));
 * // [0, (2 + 4 + 8) / 3]
 * ```
 */
export function polyReLU(x: tf.Tensor, a: tf.Tensor1D): tf.Tensor {
  checkInputs("polyReLU", x, a);
  return fusedOrStock(POLY_RELU, x.size > 0, () => fusedPolyCom(POLY_RELU, x, a, {}), () => polyReLUReference(x, a));
}

/**
 * PolyNorm(x) = a0 + Σ_{i=1..r} a_i · N(x^i), N(z) = z / sqrt(mean(z², last axis) + eps),
 * with a = [a0, a1, ..., ar] in ascending powers (r = a.length - 1, 1 ≤ r ≤ 8).
 *
 * The fused kernels first form the plain powers x^i (one pass); only a row
 * whose sums overflow (float64 on cpu and wasm, float32 on webgpu), or an eps
 * too extreme for plain powers, is redone scaled by its largest |x|, where
 * nothing overflows (see src/kernels/polycom/math.ts). So float32 inputs of any magnitude
 * give finite results, and a row of zeros gives a0 with finite gradients. A
 * backend without the fused kernel gets {@linkcode polyNormReference}, which
 * powers unscaled.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * const y = polyNorm(tf.randomNormal([2, 8]), tf.tensor1d([0, 1 / 3, 1 / 3, 1 / 3]));
 * ```
 */
export function polyNorm(x: tf.Tensor, a: tf.Tensor1D, eps = POLY_NORM_EPS): tf.Tensor {
  checkInputs("polyNorm", x, a);
  if (!(eps >= EPS_RANGE[0] && eps <= EPS_RANGE[1])) {
    throw new UsageError(`polyNorm: eps must be in [${EPS_RANGE[0]}, ${EPS_RANGE[1]}], got ${eps}`);
  }
  return fusedOrStock(
    POLY_NORM,
    x.size > 0,
    () => fusedPolyCom(POLY_NORM, x, a, { eps }),
    () => polyNormReference(x, a, eps),
  );
}
