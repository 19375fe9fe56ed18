/**
 * Reproducibility reports: the report's data, charts and the markdown report,
 * rendered from what src/judge/ decides. Reads results only through
 * src/results/ and never loads tfjs or the model.
 *
 * @example
 * ```ts
 * import { writeReports } from "./mod.ts";
 * await writeReports({ resultsDir: "results", outDir: "reports" });
 * ```
 * @module
 */
export * from "./bench.ts";
export * from "./data.ts";
export * from "./markdown.ts";
export * from "./write.ts";
export { type ChartFile, renderCharts } from "./charts/mod.ts";
