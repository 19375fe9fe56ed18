/**
 * Judging the paper's claims from result files: the claims registry, the
 * measures, which runs count, curves and speed-ups, paired statistics across
 * seeds, statistical power and verdicts. Plain data in, plain data out: the
 * report renders it and the gate compares it with a baseline. Never loads
 * tfjs, the model or the chart renderer (tests/architecture/imports_test.ts).
 *
 * @example
 * ```ts
 * import { claimVerdicts } from "./mod.ts";
 * import { loadRuns } from "../results/mod.ts";
 * const verdicts = claimVerdicts(await loadRuns("results", "smoke-dense"));
 * ```
 * @module
 */
export * from "./measures.ts";
export * from "./claims.ts";
export * from "./stats.ts";
export * from "./verdict.ts";
export * from "./curves.ts";
export * from "./select.ts";
export * from "./evaluate.ts";
export * from "./paper_effect.ts";
export * from "./power.ts";
export * from "./power_reading.ts";
export * from "./propose.ts";
export * from "./trend.ts";
export * from "./chance.ts";
export * from "./recipe.ts";
export * from "./pilot_level.ts";
