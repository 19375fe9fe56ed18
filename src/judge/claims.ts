/**
 * The claims registry: each claim of the paper that the suites test, with its
 * published numbers and how it is tested at small scale. Every paper number is
 * read from the paper data through a JSON pointer (only the precision it is
 * quoted at is written in the data files), and the claims' prose renders those
 * numbers, so no paper number is typed in the claim files; method constants
 * (the final-loss window) render from the code's constants. The claims are
 * data (`_claims_dense.ts`, `_claims_moe.ts`, types in `claim_types.ts`); the
 * rules that judge them are in verdict.ts.
 * @module
 */
import type { ClaimSpec } from "./claim_types.ts";
import { DENSE_CLAIMS } from "./_claims_dense.ts";
import { MOE_CLAIMS } from "./_claims_moe.ts";

export type { ClaimSpec, ComparisonSpec, Direction, Measure, PublishedRef, PublishedValue } from "./claim_types.ts";
export { publishedNumber, roundQuoted } from "./_quote.ts";

/**
 * Every claim the report tests, in the order it reports them.
 *
 * @example
 * ```ts
 * CLAIMS.map((c) => c.id); // ["dense.train_loss_gap", ...]
 * ```
 */
export const CLAIMS: readonly ClaimSpec[] = [...DENSE_CLAIMS, ...MOE_CLAIMS];

/**
 * The claims of one published experiment.
 *
 * @example
 * ```ts
 * claimsFor("moe_1B_active_7B_total").map((c) => c.id);
 * ```
 */
export function claimsFor(experiment: string): ClaimSpec[] {
  return CLAIMS.filter((c) => c.experiment === experiment);
}
