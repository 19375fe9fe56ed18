/**
 * The activation registry's types: what the model needs to know about an
 * activation to build an MLP with it.
 * @module
 */
import type { tf } from "../backend/tf.ts";

import type { ActivationName } from "./table.ts";

export type { ActivationName };

/**
 * One activation: how it is wired into the MLP and how it is computed.
 *
 * Gated activations (SwiGLU) are called as `apply(gate, undefined, up)` and
 * use two input projections; non-gated ones are called as `apply(x, coeffs)`
 * and get `widthMultiplier` × the gated width so parameter counts match.
 */
export interface ActivationSpec {
  name: ActivationName;
  /** The Hugging Face `hidden_act` value written to config.json. */
  hfName: string;
  /** True when the MLP has gate and up projections (SwiGLU). */
  gated: boolean;
  /** True when the activation has learnable coefficients (PolyCom). */
  learnable: boolean;
  /** Hidden-width multiplier against SwiGLU's width at equal parameters (1 or 1.5). */
  widthMultiplier: number;
  /** Initial coefficients [a0..ar] for order r, ascending; empty when not learnable. */
  initCoefficients(order: number): number[];
  /**
   * Computes the activation. `coeffs` is required for learnable activations,
   * `up` for gated ones. Normalising activations (PolyNorm) normalise over the
   * last axis.
   */
  apply(x: tf.Tensor, coeffs?: tf.Tensor1D, up?: tf.Tensor): tf.Tensor;
}
