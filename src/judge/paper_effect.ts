/**
 * The paper's effect for one comparison, in the units of our paired
 * difference d: a comparison's own published value, or the difference of the
 * two activations' published values for the same quantity. Speed-ups become
 * ln(speed-up), as d is.
 * @module
 */
import type { ClaimSpec, PublishedValue } from "./claims.ts";
import { type Measure, measureSpec } from "./measures.ts";

/**
 * A published label without its leading activation name ("PolyNorm, HellaSwag …" → "HellaSwag …").
 *
 * @example
 * ```ts
 * publishedQuantity({ label: "PolyNorm, training loss at 250B tokens", value: 2.17, tag: "fig" }); // "training loss at 250B tokens"
 * ```
 */
export function publishedQuantity(value: PublishedValue): string {
  return value.label.replace(/^[^,]+,\s*/, "");
}

/**
 * The published values of `activation` and `versus` that measure the same quantity, paired (figure values only,
 * not secondary summaries).
 *
 * @example
 * ```ts
 * import { CLAIMS } from "./claims.ts";
 * const claim = CLAIMS.find((c) => c.id === "dense.train_loss_gap")!;
 * publishedPairs(claim, "polynorm", "polyrelu"); // [[{ value: 2.1712, ... }, { value: 2.1779, ... }]]
 * ```
 */
export function publishedPairs(
  claim: ClaimSpec,
  activation: string,
  versus: string,
): Array<readonly [PublishedValue, PublishedValue]> {
  const numeric = claim.published.filter((p) => typeof p.value === "number" && p.tag !== "sec");
  return numeric.filter((p) => p.activation === activation).flatMap((a) => {
    const b = numeric.find((q) => q.activation === versus && publishedQuantity(q) === publishedQuantity(a));
    return b ? [[a, b] as const] : [];
  });
}

/**
 * The paper's effect for a comparison in d's units, `null` when the paper gives none we can compare sizes with.
 *
 * @example
 * ```ts
 * import { CLAIMS } from "./claims.ts";
 * const claim = CLAIMS.find((c) => c.id === "dense.train_loss_gap")!;
 * paperEffect(claim, { activation: "polynorm", versus: "swiglu", measure: "trainLoss" }); // -0.019
 * ```
 */
export function paperEffect(
  claim: ClaimSpec,
  c: { activation: string; versus: string; measure: Measure; paper?: PublishedValue },
): number | null {
  if (claim.sizesComparable === false) return null;
  const speedup = measureSpec(c.measure).pairing === "speedup";
  if (c.paper) {
    if (typeof c.paper.value !== "number") return null;
    return speedup ? Math.log(c.paper.value) : c.paper.value;
  }
  const pairs = publishedPairs(claim, c.activation, c.versus);
  if (pairs.length !== 1 || speedup) return null;
  const [a, b] = pairs[0];
  return (a.value as number) - (b.value as number);
}
