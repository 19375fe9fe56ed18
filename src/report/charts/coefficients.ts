/**
 * The learned PolyCom coefficients a0..ar over training: thick lines are the
 * mean over layers and seeds, thin lines each layer (mean over seeds).
 * @module
 */
import type { ChartDataset } from "chart.js";
import type { ReportData } from "../data.ts";
import { renderChart } from "./_render.ts";
import { label, thin, tokensTick, withAlpha, xyOptions } from "./_style.ts";
import type { ChartFile } from "./types.ts";

type Point = { x: number; y: number };
const COEFFICIENT_COLORS = ["#555555", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];

function coefficientName(i: number): string {
  return i === 0 ? "a0 (constant)" : `a${i} (power ${i})`;
}

/**
 * One chart per PolyCom activation that logged coefficients.
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * const files = await coefficientCharts(data);
 * ```
 */
export async function coefficientCharts(data: ReportData): Promise<ChartFile[]> {
  const out: ChartFile[] = [];
  for (const activation of data.activations) {
    const runs = data.selection.usable.filter((r) => r.record.activation === activation);
    const logged = runs.map((r) => r.metrics.filter((m) => m.coefficients && m.coefficients.length > 0));
    if (logged.every((rows) => rows.length === 0)) continue;
    // Average over seeds per step (runs of one suite log the same steps).
    const sums = new Map<number, { tokens: number; sum: number[][]; n: number }>();
    for (const rows of logged) {
      for (const row of rows) {
        const c = row.coefficients!;
        const entry = sums.get(row.step) ?? { tokens: row.tokens, sum: c.map((l) => l.map(() => 0)), n: 0 };
        if (entry.sum.length !== c.length || entry.sum[0].length !== c[0].length) continue;
        c.forEach((layer, l) => layer.forEach((v, i) => (entry.sum[l][i] += v)));
        entry.n += 1;
        sums.set(row.step, entry);
      }
    }
    const steps = thin([...sums.keys()].sort((a, b) => a - b));
    if (steps.length === 0) continue;
    const first = sums.get(steps[0])!;
    const layers = first.sum.length;
    const order = first.sum[0].length;
    const at = (step: number, l: number, i: number) => sums.get(step)!.sum[l][i] / sums.get(step)!.n;
    const datasets: ChartDataset<"line", Point[]>[] = [];
    for (let i = 0; i < order; i++) {
      const color = COEFFICIENT_COLORS[i % COEFFICIENT_COLORS.length];
      for (let l = 0; l < layers && layers > 1; l++) {
        datasets.push({
          label: `_a${i} layer ${l}`,
          data: steps.map((s) => ({ x: sums.get(s)!.tokens, y: at(s, l, i) })),
          parsing: false,
          borderColor: withAlpha(color, 0.35),
          borderWidth: 1,
          pointRadius: 0,
        });
      }
      datasets.push({
        label: coefficientName(i),
        data: steps.map((s) => {
          let sum = 0;
          for (let l = 0; l < layers; l++) sum += at(s, l, i);
          return { x: sums.get(s)!.tokens, y: sum / layers };
        }),
        parsing: false,
        borderColor: color,
        backgroundColor: color,
        borderWidth: 3,
        pointRadius: 0,
      });
    }
    const png = await renderChart({
      type: "line",
      data: { datasets },
      options: xyOptions({
        title: `Learned ${label(activation)} coefficients`,
        subtitle:
          `${layers} layer(s), ${runs.length} seed(s); thick = mean over layers and seeds, thin = each layer; init a0 = 0, a1..ar = 1/r`,
        x: "training tokens",
        y: "coefficient value",
        xTicks: tokensTick,
        xMin: 0,
        xMax: sums.get(steps[steps.length - 1])!.tokens,
      }),
    });
    out.push({
      file: `coefficients_${activation}.png`,
      title: `Learned ${label(activation)} coefficients`,
      caption: `The trainable coefficients of ${
        label(activation)
      } (a0 constant, ai multiplies the i-th power term) over training; the paper does not report them, they show whether the higher powers are used.`,
      png,
    });
  }
  return out;
}
