/**
 * PolyCom activations (PolyReLU, PolyNorm) and the baselines, with a registry
 * the model builds MLPs from.
 *
 * `polyReLU` and `polyNorm` are fused: one kernel forward and one backward on
 * `cpu`, `wasm` (SIMD) and `webgpu` (WGSL), registered with `tf.registerKernel`
 * and `tf.registerGradient` when this module loads; both are differentiable
 * with respect to `x` and the coefficients `a`. `polyReLUReference` and
 * `polyNormReference` are the same functions as compositions of stock ops.
 *
 * @example
 * ```ts
 * import { getActivation, polyNorm } from "./mod.ts";
 * import { tf } from "../backend/mod.ts";
 * const a = tf.tensor1d([0, 1 / 3, 1 / 3, 1 / 3]);
 * const y = polyNorm(tf.randomNormal([4, 16]), a);
 * const same = getActivation("polynorm").apply(tf.randomNormal([4, 16]), a);
 * ```
 * @module
 */
export type { ActivationName, ActivationSpec } from "./types.ts";
export { ACTIVATION_NAMES, activationFromHf, getActivation } from "./registry.ts";
export { ACTIVATION_IDS, type ActivationRow, activationRow, ACTIVATIONS, NON_GATED_WIDTH_MULTIPLIER } from "./table.ts";
export { EPS_RANGE, hasFusedKernel, MAX_ORDER, POLY_NORM_EPS, polyNorm, polyReLU } from "./polycom.ts";
export { polyNormReference, polyReLUReference } from "./reference.ts";
export { geluExact, relu2, silu, swiglu } from "./baselines.ts";
export { POLY_NORM, POLY_NORM_GRAD, POLY_RELU, POLY_RELU_GRAD } from "../kernels/polycom/mod.ts";
