/**
 * The trend chart: per claim, each comparison's gap to the baseline at every
 * rung against parameters (log axis), with 95% intervals, and the paper's
 * point.
 * @module
 */
import type { ChartDataset } from "chart.js";
import { measureSpec } from "../../judge/measures.ts";
import type { ComparisonTrend } from "../../judge/trend.ts";
import type { ReportData } from "../data.ts";
import { renderChart } from "./_render.ts";
import { colorOf, label, paddedRange, tokensTick } from "./_style.ts";
import type { ChartFile } from "./types.ts";

type Points = ChartDataset<"line", Array<{ x: number; y: number }>> & { errorBars?: Array<[number, number] | null> };

/**
 * One trend chart per claim that has a trend.
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * const files = await trendCharts(data);
 * ```
 */
export async function trendCharts(data: ReportData): Promise<ChartFile[]> {
  const out: ChartFile[] = [];
  for (const id of [...new Set(data.trends.map((t) => t.claim.id))]) {
    const mine = data.trends.filter((t) => t.claim.id === id);
    const speedup = measureSpec(mine[0].measure).pairing === "speedup";
    const y = (d: number) => (speedup ? Math.exp(d) : d);
    const datasets = mine.flatMap((t) => trendDatasets(t, y));
    const title = `${mine[0].claim.title} across sizes`;
    // The value axis holds the points and their whole intervals.
    const range = paddedRange(
      datasets.flatMap((d) => [...d.data.map((p) => p.y), ...(d.errorBars ?? []).flatMap((b) => b ?? [])]),
      0.08,
    );
    const png = await renderChart({
      type: "line",
      data: { datasets },
      options: {
        plugins: {
          title: { display: true, text: title, font: { size: 20, weight: "bold" } },
          subtitle: {
            display: true,
            text: `${data.selection.suite}: one point per rung, 95% intervals; diamonds: the paper's single run`,
            font: { size: 14 },
          },
          legend: { position: "bottom", labels: { font: { size: 14 } } },
        },
        scales: {
          x: {
            type: "logarithmic",
            title: { display: true, text: "total parameters (log scale)" },
            // Label the powers of ten and their halves only.
            ticks: {
              callback: (v) => {
                const m = Number(v) / 10 ** Math.floor(Math.log10(Number(v)));
                return Math.abs(m - 1) < 1e-9 || Math.abs(m - 5) < 1e-9 ? tokensTick(Number(v)) : "";
              },
            },
          },
          y: {
            min: range?.min,
            max: range?.max,
            title: {
              display: true,
              text: speedup
                ? `speed-up over ${label(data.selection.baseline)} (×)`
                : `d = activation − ${label(data.selection.baseline)} (${measureSpec(mine[0].measure).unit})`,
            },
          },
        },
      },
    });
    out.push({
      file: `trend_${id.replaceAll(".", "_")}.png`,
      title,
      caption: `Each comparison's mean paired ${
        speedup ? "speed-up" : "difference"
      } at every rung against the rung's total parameters, with its 95% interval; the paper's value at its model size for reference.`,
      png,
    });
  }
  return out;
}

/** One comparison's points with their intervals, and the paper's single point when it has one. */
function trendDatasets(t: ComparisonTrend, y: (d: number) => number): Points[] {
  return [
    {
      label: `${label(t.activation)} − ${label(t.versus)} (ours)`,
      data: t.points.map((p) => ({ x: p.parameters, y: y(p.interval.mean) })),
      errorBars: t.points.map((p) => (p.interval.n >= 2 ? [y(p.interval.lo), y(p.interval.hi)] : null)),
      borderColor: colorOf(t.activation),
      backgroundColor: colorOf(t.activation),
      pointRadius: 6,
      borderWidth: 2,
    },
    ...(t.paper
      ? [{
        label: `${label(t.activation)} (paper)`,
        data: [{ x: t.paper.parameters, y: y(t.paper.effect) }],
        borderColor: colorOf(t.activation),
        backgroundColor: "#ffffff",
        pointStyle: "rectRot" as const,
        pointRadius: 9,
        borderWidth: 2,
        showLine: false,
      }]
      : []),
  ];
}
