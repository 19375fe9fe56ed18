/**
 * Our curves beside the paper's digitised curves on normalised axes:
 * x = fraction of the token budget, y = loss ÷ SwiGLU's final loss (each
 * side normalised by its own SwiGLU), so that shapes and orderings can be
 * compared across a ~10^5× difference in scale.
 * @module
 */
import type { ChartDataset } from "chart.js";
import { normalisedPaperCurve, type PaperPanel } from "../../published/mod.ts";
import type { LoadedRun } from "../../results/mod.ts";
import { bandOf, type Curve, trainCurve, valCurve } from "../../judge/curves.ts";
import type { ReportData } from "../data.ts";
import { mean } from "../../judge/stats.ts";
import { renderChart } from "./_render.ts";
import { colorOf, label, paddedRange, xyOptions } from "./_style.ts";
import type { ChartFile } from "./types.ts";

type Point = { x: number; y: number };
const DASHES = [[10, 6], [3, 4], [14, 4, 3, 4]];

function budgetOf(run: LoadedRun): number {
  return run.record.progress.totalTokens || run.metrics[run.metrics.length - 1]?.tokens || 1;
}

function ourDatasets(data: ReportData, curve: (run: LoadedRun) => Curve): ChartDataset<"line", Point[]>[] {
  const base = data.selection.usable.filter((r) => r.record.activation === data.selection.baseline);
  const reference = mean(base.map((r) => curve(r).values.at(-1) ?? NaN).filter(Number.isFinite));
  if (!Number.isFinite(reference)) return [];
  const out: ChartDataset<"line", Point[]>[] = [];
  for (const a of data.activations) {
    const runs = data.selection.usable.filter((r) => r.record.activation === a);
    if (runs.length === 0) continue;
    const band = bandOf(runs.map(curve));
    const budget = budgetOf(runs[0]);
    const points = band.tokens.map((t, i) => ({ x: t / budget, y: band.mean[i] / reference })).filter((p) =>
      p.x >= 0.05
    );
    out.push({
      label: `${label(a)} (ours, n=${band.n})`,
      data: points,
      parsing: false,
      borderColor: colorOf(a),
      backgroundColor: colorOf(a),
      borderWidth: 3,
      pointRadius: points.length < 40 ? 3 : 0,
      tension: 0,
    });
  }
  return out;
}

function paperDatasets(data: ReportData, panels: PaperPanel[]): ChartDataset<"line", Point[]>[] {
  const out: ChartDataset<"line", Point[]>[] = [];
  panels.forEach((panel, p) => {
    for (const a of data.activations) {
      const points = normalisedPaperCurve(panel, a).filter((pt) => pt.x <= 1);
      if (points.length === 0) continue;
      const where = panels.length > 1 ? `, ${panel.label.replace(/^validation loss \((.*)\)$/, "$1")}` : "";
      out.push({
        label: `${label(a)} (paper${where})`,
        data: points,
        parsing: false,
        borderColor: colorOf(a),
        backgroundColor: colorOf(a),
        borderWidth: 1.8,
        borderDash: DASHES[p % DASHES.length],
        pointRadius: points.length < 40 ? 2 : 0,
        tension: 0,
      });
    }
  });
  return out;
}

function yRange(datasets: ChartDataset<"line", Point[]>[]): { yMin?: number; yMax?: number } {
  const range = paddedRange([1, ...datasets.flatMap((d) => d.data.filter((p) => p.x >= 0.1).map((p) => p.y))], 0.06);
  return { yMin: range?.min, yMax: range?.max };
}

/**
 * The overlay charts (training loss, and validation where the paper plots it).
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * const files = await paperOverlayCharts(data);
 * ```
 */
export async function paperOverlayCharts(data: ReportData): Promise<ChartFile[]> {
  const paper = data.paper;
  if (!paper) return [];
  const out: ChartFile[] = [];
  const specs = [
    {
      file: "paper_overlay_train.png",
      title: "Training loss, ours beside the paper (normalised)",
      panels: [paper.train],
      ours: ourDatasets(data, trainCurve),
      y: "training loss ÷ SwiGLU's final training loss",
      caption:
        `Both sides normalised by their own SwiGLU: x = tokens ÷ the run's token budget (paper: ${paper.train.reference.tokensB}B), y = loss ÷ SwiGLU's final loss (paper: ${paper.train.reference.value} at ${paper.train.reference.tokensB}B). Solid = ours (mean over seeds), dashed = the paper's digitised curve (a single run). Below 1 = better than SwiGLU's end point.`,
    },
    {
      file: "paper_overlay_val.png",
      title: "Validation, ours beside the paper (normalised)",
      panels: paper.validation,
      ours: ourDatasets(data, (run) => valCurve(run)),
      y: paper.validation.some((p) => p.kind === "ppl")
        ? "value ÷ SwiGLU's final value (paper: its 'PPL')"
        : "validation loss ÷ SwiGLU's final validation loss",
      caption: paper.validation.some((p) => p.kind === "ppl")
        ? "Ours: validation loss averaged over sources, ÷ our SwiGLU's final value. Paper: its 'Validation PPL' ÷ SwiGLU's at 250B; that quantity is undocumented (≈3.2, not exp(loss)), so compare order and shape only."
        : `Ours: validation loss averaged over our sources, ÷ our SwiGLU's final value. Paper: ${
          paper.validation.map((p) => p.label).join(" and ")
        }, each ÷ SwiGLU's final value on that set.`,
    },
  ];
  for (const spec of specs) {
    if (spec.ours.length === 0) continue;
    const datasets = [...paperDatasets(data, spec.panels), ...spec.ours];
    const { yMin, yMax } = yRange(datasets);
    const png = await renderChart({
      type: "line",
      data: { datasets },
      options: xyOptions({
        title: spec.title,
        subtitle:
          `${data.selection.suite} (${data.selection.scale} scale) vs ${paper.title}; solid = ours, dashed = paper`,
        x: "fraction of the token budget",
        y: spec.y,
        xMin: 0,
        xMax: 1,
        yMin,
        yMax,
        xTicks: (v) => v.toFixed(1),
      }),
    });
    out.push({ file: spec.file, title: spec.title, caption: spec.caption, png });
  }
  return out;
}
