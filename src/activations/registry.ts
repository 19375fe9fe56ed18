/**
 * Name → activation: the row of `table.ts` (wiring: gated, width
 * multiplier, learnable) joined with its function here. PolyReLU and
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
import { ACTIVATION_IDS, type ActivationName, ACTIVATIONS } from "./table.ts";
import type { ActivationSpec } from "./types.ts";

const polyInit = (order: number): number[] => [0, ...Array.from({ length: order }, () => 1 / order)];
const none = (): number[] => [];

function requireCoefficients(name: string, coeffs: tf.Tensor1D | undefined): tf.Tensor1D {
  if (!coeffs) throw new Error(`activation '${name}' needs its coefficients`);
  return coeffs;
}

/** The computation of one activation; its wiring is its row in `table.ts`. */
type ActivationFunction = Pick<ActivationSpec, "apply" | "initCoefficients">;

/** A plain activation: a function of x alone, no coefficients. */
const plain = (fn: (x: tf.Tensor) => tf.Tensor): ActivationFunction => ({
  initCoefficients: none,
  apply: (x) => fn(x),
});

/** One function per row of the activation table (the compiler checks that none is missing). */
const FUNCTIONS: Record<ActivationName, ActivationFunction> = {
  swiglu: {
    initCoefficients: none,
    apply: (gate, _coeffs, up) => {
      if (!up) throw new Error("swiglu needs the up projection");
      return swiglu(gate, up);
    },
  },
  gelu: plain(geluExact),
  relu: plain((x) => tf.relu(x)),
  relu2: plain(relu2),
  silu: plain(silu),
  polyrelu: { initCoefficients: polyInit, apply: (x, coeffs) => polyReLU(x, requireCoefficients("polyrelu", coeffs)) },
  polynorm: { initCoefficients: polyInit, apply: (x, coeffs) => polyNorm(x, requireCoefficients("polynorm", coeffs)) },
};

const REGISTRY = Object.fromEntries(ACTIVATION_IDS.map((name): [ActivationName, ActivationSpec] => {
  const { hfName, gated, learnable, widthMultiplier } = ACTIVATIONS[name];
  return [name, { name, hfName, gated, learnable, widthMultiplier, ...FUNCTIONS[name] }];
})) as Record<ActivationName, ActivationSpec>;

/** Every registered activation name. */
export const ACTIVATION_NAMES: readonly ActivationName[] = ACTIVATION_IDS;

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
