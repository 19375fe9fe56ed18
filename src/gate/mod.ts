/**
 * CI regression gating, judged from result files: the baseline, its bands,
 * the comparison and its formatting (markdown, JSON, JUnit XML). Running the gate suite (training) is
 * `runGate` in `run.ts`, exported from the package root and used by the CLI;
 * this entry never loads tfjs, the model or the chart renderer.
 *
 * @example
 * ```ts
 * import { DEFAULT_BASELINE, formatGateMarkdown, judgeGate, measureGateRuns, readBaseline } from "./mod.ts";
 * import { loadRuns } from "../results/mod.ts";
 * const outcome = judgeGate(measureGateRuns(await loadRuns("results", "gate")), await readBaseline(DEFAULT_BASELINE));
 * console.log(formatGateMarkdown(outcome.result, outcome.timings));
 * if (!outcome.result.passed) Deno.exit(1);
 * ```
 * @module
 */
export * from "./baseline.ts";
export * from "./bands.ts";
export * from "./compare.ts";
export * from "./format.ts";
export * from "./junit.ts";
export * from "./metrics.ts";
export * from "./gate.ts";
