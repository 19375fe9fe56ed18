/**
 * CI regression gating: run a small fixed suite, compare it with a committed
 * baseline within bands measured from drift and seed spread.
 *
 * @example
 * ```ts
 * import { DEFAULT_BASELINE, formatGateMarkdown, runGate } from "./mod.ts";
 * const { result, timings } = await runGate({ baselinePath: DEFAULT_BASELINE, resultsDir: "results", update: false });
 * console.log(formatGateMarkdown(result, timings));
 * if (!result.passed) Deno.exit(1);
 * ```
 * @module
 */
export * from "./baseline.ts";
export * from "./bands.ts";
export * from "./compare.ts";
export * from "./format.ts";
export * from "./metrics.ts";
export * from "./gate.ts";
