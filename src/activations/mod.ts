/**
 * PolyCom activations (PolyReLU, PolyNorm) and the baselines, with a registry
 * the model builds MLPs from.
 *
 * @example
 * ```ts
 * import { getActivation } from "./mod.ts";
 * import { tf } from "../backend/mod.ts";
 * const spec = getActivation("polynorm");
 * const y = spec.apply(tf.randomNormal([4, 16]), tf.tensor1d(spec.initCoefficients(3)));
 * ```
 * @module
 */
export type { ActivationName, ActivationSpec } from "./types.ts";
export { ACTIVATION_NAMES, activationFromHf, getActivation, NON_GATED_WIDTH_MULTIPLIER } from "./registry.ts";
export { polyNormReference, polyReLUReference } from "./reference.ts";
export { geluExact, relu2, silu, swiglu } from "./baselines.ts";
