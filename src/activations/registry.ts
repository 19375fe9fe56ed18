/**
 * Name → activation. The model reads wiring (gated, width multiplier,
 * coefficients) from here, so adding an activation is one entry. PolyReLU and
 * PolyNorm are the fused ops of `polycom.ts`.
 *
 * Parameter matching follows the paper: SwiGLU has two input projections of
 * width h, every non-gated activation one of width 1.5·h (8256 vs 5504 dense,
 * 1536 vs 1024 per MoE expert). PolyCom adds r + 1 scalars per layer, which
 * the trainer excludes from weight decay.
 * @module
 */
import { UsageError } from "../util/errors.ts";
import { tf } from "../backend/tf.ts";
import { geluExact, relu2, silu, swiglu } from "./baselines.ts";
import { polyNorm, polyReLU } from "./polycom.ts";
import type { ActivationName, ActivationSpec } from "./types.ts";

/** Width multiplier of non-gated MLPs: 8256 / 5504 dense, 1536 / 1024 MoE. */
export const NON_GATED_WIDTH_MULTIPLIER = 1.5;

const polyInit = (order: number): number[] => [0, ...Array.from({ length: order }, () => 1 / order)];
const none = (): number[] => [];

function plain(name: ActivationName, hfName: string, fn: (x: tf.Tensor) => tf.Tensor): ActivationSpec {
  return {
    name,
    hfName,
    gated: false,
    learnable: false,
    widthMultiplier: NON_GATED_WIDTH_MULTIPLIER,
    initCoefficients: none,
    apply: (x) => fn(x),
  };
}

function requireCoefficients(name: string, coeffs: tf.Tensor1D | undefined): tf.Tensor1D {
  if (!coeffs) throw new Error(`activation '${name}' needs its coefficients`);
  return coeffs;
}

const REGISTRY: Record<ActivationName, ActivationSpec> = {
  swiglu: {
    name: "swiglu",
    hfName: "silu",
    gated: true,
    learnable: false,
    widthMultiplier: 1,
    initCoefficients: none,
    apply: (gate, _coeffs, up) => {
      if (!up) throw new Error("swiglu needs the up projection");
      return swiglu(gate, up);
    },
  },
  gelu: plain("gelu", "gelu", geluExact),
  relu: plain("relu", "relu", (x) => tf.relu(x)),
  relu2: plain("relu2", "relu2", relu2),
  silu: plain("silu", "silu_nongated", silu),
  polyrelu: {
    name: "polyrelu",
    hfName: "polyrelu",
    gated: false,
    learnable: true,
    widthMultiplier: NON_GATED_WIDTH_MULTIPLIER,
    initCoefficients: polyInit,
    apply: (x, coeffs) => polyReLU(x, requireCoefficients("polyrelu", coeffs)),
  },
  polynorm: {
    name: "polynorm",
    hfName: "polynorm",
    gated: false,
    learnable: true,
    widthMultiplier: NON_GATED_WIDTH_MULTIPLIER,
    initCoefficients: polyInit,
    apply: (x, coeffs) => polyNorm(x, requireCoefficients("polynorm", coeffs)),
  },
};

/** Every registered activation name. */
export const ACTIVATION_NAMES = Object.keys(REGISTRY) as ActivationName[];

/**
 * Looks up an activation by name (a user error if unknown).
 *
 * @example
 * ```ts
 * const spec = getActivation("polynorm");
 * spec.initCoefficients(3); // [0, 1/3, 1/3, 1/3]
 * ```
 */
export function getActivation(name: string): ActivationSpec {
  const spec = REGISTRY[name as ActivationName];
  if (!spec) throw new UsageError(`unknown activation '${name}' (expected one of: ${ACTIVATION_NAMES.join(", ")})`);
  return spec;
}

/**
 * Finds the activation a Hugging Face `hidden_act` value names.
 *
 * @example
 * ```ts
 * activationFromHf("silu").name; // "swiglu"
 * ```
 */
export function activationFromHf(hfName: string): ActivationSpec {
  const spec = Object.values(REGISTRY).find((s) => s.hfName === hfName);
  if (!spec) throw new UsageError(`unknown hidden_act '${hfName}'`);
  return spec;
}
