/**
 * Coefficient layout of the official PyTorch PolyCom modules, whose forward is
 * `weight[0]·N(x³) + weight[1]·N(x²) + weight[2]·N(x) + bias` (PolyNorm; PolyReLU
 * with relu(x)^i): `weight` runs over descending powers and the bias is
 * separate. This project's `a` is ascending with the bias first, so for order r
 * weight[j] ↔ a[r − j] and bias ↔ a[0] (r = 3: weight[0] ↔ a3, weight[1] ↔ a2,
 * weight[2] ↔ a1).
 * @module
 */
import { UsageError } from "../../src/util/errors.ts";
import { MAX_ORDER } from "../../src/activations/mod.ts";

/** The official module's parameters. */
export interface PyTorchPolyCoefficients {
  /** Descending powers: weight[0] multiplies the highest power. */
  weight: number[];
  bias: number;
}

/**
 * `a` = [a0..ar] from the official module's `weight` (descending) and `bias`.
 *
 * @example
 * ```ts
 * coefficientsFromPyTorch([0.5, 0.3, 0.2], 0.1); // [0.1, 0.2, 0.3, 0.5]
 * ```
 */
export function coefficientsFromPyTorch(weight: readonly number[], bias: number): number[] {
  if (weight.length < 1 || weight.length > MAX_ORDER) {
    throw new UsageError(`PolyCom weight must have 1 to ${MAX_ORDER} entries, got ${weight.length}`);
  }
  return [bias, ...[...weight].reverse()];
}

/**
 * The official module's `weight` (descending) and `bias` from `a` = [a0..ar].
 *
 * @example
 * ```ts
 * coefficientsToPyTorch([0.1, 0.2, 0.3, 0.5]); // { weight: [0.5, 0.3, 0.2], bias: 0.1 }
 * ```
 */
export function coefficientsToPyTorch(a: readonly number[]): PyTorchPolyCoefficients {
  if (a.length < 2 || a.length > MAX_ORDER + 1) {
    throw new UsageError(`PolyCom coefficients must have 2 to ${MAX_ORDER + 1} entries [a0..ar], got ${a.length}`);
  }
  return { weight: a.slice(1).reverse(), bias: a[0] };
}
