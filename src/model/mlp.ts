/**
 * The feed-forward block: gated `down(silu(gate(x)) · up(x))` for SwiGLU,
 * `down(act(up(x)))` for every other activation (PolyCom included). The
 * projections are a parameter, so the MoE layer's grouped experts run the
 * same block over expert-sorted rows.
 * @module
 */
import type { ActivationSpec } from "../activations/mod.ts";
import { tf } from "../backend/tf.ts";
import { linear, linears } from "./_ops.ts";

/** One MLP's (or one expert's) weights, stored `[in, out]`. */
export interface MlpWeights {
  /** Only for gated activations. */
  gate?: tf.Tensor2D;
  up: tf.Tensor2D;
  down: tf.Tensor2D;
}

/** Applies one of the block's projections (`gate` only for gated activations) to rows. */
export type Projection = (x: tf.Tensor2D, which: keyof MlpWeights) => tf.Tensor2D;

/**
 * Applies the MLP to `x [n, d]`. `coefficients` are the layer's PolyCom
 * coefficients (learnable activations only); `project` defaults to the
 * products with `w`.
 *
 * @example
 * ```ts
 * import { getActivation } from "../activations/mod.ts";
 * import type { tf } from "../backend/tf.ts";
 * declare const x: tf.Tensor2D, up: tf.Tensor2D, down: tf.Tensor2D, coefficients: tf.Tensor1D;
 * const y = mlp(x, { up, down }, getActivation("polynorm"), coefficients);
 * ```
 */
export function mlp(
  x: tf.Tensor2D,
  w: MlpWeights,
  activation: ActivationSpec,
  coefficients?: tf.Tensor1D,
  project?: Projection,
): tf.Tensor2D {
  const apply: Projection = project ?? ((rows, which) => linear(rows, w[which]!));
  return tf.tidy(() => {
    if (activation.gated) {
      if (!w.gate) throw new Error(`activation '${activation.name}' needs a gate projection`);
      // With the layer's own weights, up and gate share one grouped product (up first, as below).
      const [up, gate] = project ? [project(x, "up"), project(x, "gate")] : linears(x, [w.up, w.gate]);
      return apply(activation.apply(gate, undefined, up) as tf.Tensor2D, "down");
    }
    const up = apply(x, "up");
    return apply(activation.apply(up, coefficients) as tf.Tensor2D, "down");
  });
}
