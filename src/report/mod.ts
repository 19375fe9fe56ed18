/**
 * Reproducibility reports: the claims registry, paired statistics across
 * seeds, verdicts, charts and the markdown report. Reads results only
 * through src/results/ and never loads tfjs or the model.
 *
 * @example
 * ```ts
 * import { claimVerdicts, writeReports } from "./mod.ts";
 * import { loadRuns } from "../results/mod.ts";
 * await writeReports({ resultsDir: "results", outDir: "reports" });
 * const verdicts = claimVerdicts(await loadRuns("results", "smoke-dense"));
 * ```
 * @module
 */
export * from "./claims.ts";
export * from "./stats.ts";
export * from "./verdict.ts";
export * from "./curves.ts";
export * from "./select.ts";
export * from "./evaluate.ts";
export * from "./bench.ts";
export * from "./data.ts";
export * from "./markdown.ts";
export * from "./write.ts";
export { type ChartFile, renderCharts } from "./charts/mod.ts";
