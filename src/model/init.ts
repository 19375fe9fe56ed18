/**
 * Initial parameter values, following each family's training recipe:
 *
 * - dense (Megatron, the paper's dense runs): every matrix ~ N(0, σ) with
 *   σ = `initializer_range` (sqrt(2/(5d)) by default), and the output
 *   projections (o_proj, down_proj) ~ N(0, σ / sqrt(2 · layers));
 * - MoE (OLMo "normal" init, the paper's OLMoE runs): every matrix, router and
 *   embedding included, ~ N(0, σ) truncated at ±3σ, σ = 0.02 by default;
 * - norm gains 1; PolyCom coefficients from the activation registry.
 *
 * Values depend only on (seed, parameter name), never on the order in which
 * parameters are created, and are produced on the CPU so every backend starts
 * from identical weights.
 * @module
 */
import { Rng } from "../util/rng.ts";
import { activationOf, isMoe, type ModelConfig } from "./config.ts";
import { numel, type ParameterSpec } from "./parameters.ts";

/**
 * Truncation of OLMo's normal init, in standard deviations.
 *
 * @example
 * ```ts
 * OLMO_INIT_CUTOFF * 0.02; // largest |initial weight| of the MoE recipe
 * ```
 */
export const OLMO_INIT_CUTOFF = 3;

/**
 * The init std of one parameter (0 for norms and coefficients, which are constants).
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "./build_config.ts";
 * import { parameterSpecs } from "./parameters.ts";
 * const config = PAPER_DENSE_1B("swiglu");
 * const spec = parameterSpecs(config)[0];
 * initStdFor(config, spec);
 * ```
 */
export function initStdFor(config: ModelConfig, spec: ParameterSpec): number {
  if (spec.kind === "norm" || spec.kind === "coefficients") return 0;
  const std = config.initializer_range;
  if (!isMoe(config) && spec.outputProjection) return std / Math.sqrt(2 * config.num_hidden_layers);
  return std;
}

/**
 * The initial value of one parameter in PyTorch layout.
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "./build_config.ts";
 * import { parameterSpecs } from "./parameters.ts";
 * const config = PAPER_DENSE_1B("swiglu");
 * const spec = parameterSpecs(config)[0];
 * const data = initialValue(config, spec, 1234); // Float32Array of numel(spec.shape)
 * ```
 */
export function initialValue(config: ModelConfig, spec: ParameterSpec, seed: number): Float32Array {
  const out = new Float32Array(numel(spec.shape));
  if (spec.kind === "norm") return out.fill(1);
  if (spec.kind === "coefficients") {
    const coefficients = activationOf(config).initCoefficients(config.poly_order);
    out.set(coefficients);
    return out;
  }
  const std = initStdFor(config, spec);
  const rng = Rng.derive(seed, spec.name);
  if (isMoe(config)) {
    for (let i = 0; i < out.length; i++) {
      let z = rng.normal();
      while (Math.abs(z) > OLMO_INIT_CUTOFF) z = rng.normal();
      out[i] = z * std;
    }
  } else {
    for (let i = 0; i < out.length; i++) out[i] = rng.normal() * std;
  }
  return out;
}
