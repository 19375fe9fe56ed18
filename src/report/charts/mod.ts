/**
 * The report's charts, rendered headless to PNG.
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * import { renderCharts } from "./mod.ts";
 * for (const chart of await renderCharts(data)) await Deno.writeFile(chart.file, chart.png);
 * ```
 * @module
 */
import type { ReportData } from "../data.ts";
import { gapChart, speedupChart, throughputChart } from "./bars.ts";
import { coefficientCharts } from "./coefficients.ts";
import { trainLossCharts, valLossCharts } from "./loss.ts";
import { paperOverlayCharts } from "./paper.ts";
import { trendCharts } from "./trend.ts";
import { recipeCharts } from "./recipe.ts";
import type { ChartFile } from "./types.ts";

export type { ChartFile } from "./types.ts";
export { chartFont, renderChart } from "./_render.ts";

/**
 * Renders every chart the data supports (charts without data are skipped).
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * const charts = await renderCharts(data);
 * charts.map((c) => c.file); // ["train_loss.png", "train_loss_tail.png", ...]
 * ```
 */
export async function renderCharts(data: ReportData): Promise<ChartFile[]> {
  return [
    ...await trainLossCharts(data),
    ...await valLossCharts(data),
    ...await paperOverlayCharts(data),
    ...await gapChart(data),
    ...await speedupChart(data),
    ...await trendCharts(data),
    ...await recipeCharts(data),
    ...await coefficientCharts(data),
    ...await throughputChart(data),
  ];
}
