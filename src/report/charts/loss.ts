/**
 * Loss curves per activation with a band across seeds: training loss (whole
 * run and second half) and validation loss per source.
 * @module
 */
import type { ChartDataset } from "chart.js";
import type { LoadedRun } from "../../results/mod.ts";
import { FINAL_LOSS_WINDOW } from "../../results/summary.ts";
import { bandOf, type Curve, type CurveBand, trainCurve, valCurve } from "../../judge/curves.ts";
import type { ReportData } from "../data.ts";
import { renderChart } from "./_render.ts";
import { colorOf, label, paddedRange, thin, tokensTick, withAlpha, xyOptions } from "./_style.ts";
import type { ChartFile } from "./types.ts";

type Point = { x: number; y: number };

/**
 * The three datasets of a band: max and min (filled between, hidden from the
 * legend) and the mean line.
 *
 * @example
 * ```ts
 * import type { CurveBand } from "../../judge/curves.ts";
 * declare const band: CurveBand;
 * bandDatasets("polynorm", band, { from: 0 });
 * ```
 */
export function bandDatasets(
  activation: string,
  band: CurveBand,
  o: { from?: number; points?: boolean; mapX?: (x: number) => number; mapY?: (y: number) => number; suffix?: string } =
    {},
): ChartDataset<"line", Point[]>[] {
  const mapX = o.mapX ?? ((x: number) => x);
  const mapY = o.mapY ?? ((y: number) => y);
  const idx = thin(band.tokens.map((_, i) => i).filter((i) => band.tokens[i] >= (o.from ?? -Infinity)));
  const at = (ys: number[]) => idx.map((i) => ({ x: mapX(band.tokens[i]), y: mapY(ys[i]) }));
  const color = colorOf(activation);
  const common = { pointRadius: 0, tension: 0, parsing: false as const };
  const name = `${label(activation)}${o.suffix ?? ""}`;
  return [
    { ...common, label: `_${name} max`, data: at(band.max), borderWidth: 0, borderColor: "transparent", fill: false },
    {
      ...common,
      label: `_${name} min`,
      data: at(band.min),
      borderWidth: 0,
      borderColor: "transparent",
      backgroundColor: withAlpha(color, 0.2),
      fill: "-1",
    },
    {
      ...common,
      label: `${name} (n=${band.n})`,
      data: at(band.mean),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2.5,
      pointRadius: o.points ? 3 : 0,
      fill: false,
    },
  ];
}

function byActivation(data: ReportData, curve: (run: LoadedRun) => Curve): Array<[string, CurveBand]> {
  return data.activations
    .map((
      a,
    ): [string, CurveBand] => [a, bandOf(data.selection.usable.filter((r) => r.record.activation === a).map(curve))])
    .filter(([, band]) => band.n > 0 && band.tokens.length > 0);
}

/**
 * Training loss against tokens, mean over seeds with a min–max band; and the
 * same for the second half of training, where the gaps live.
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * const files = await trainLossCharts(data);
 * ```
 */
export async function trainLossCharts(data: ReportData): Promise<ChartFile[]> {
  const bands = byActivation(data, trainCurve);
  if (bands.length === 0) return [];
  const end = Math.max(...bands.map(([, b]) => b.tokens[b.tokens.length - 1]));
  const out: ChartFile[] = [];
  for (const tail of [false, true]) {
    const from = tail ? end / 2 : -Infinity;
    const datasets = bands.flatMap(([a, band]) => bandDatasets(a, band, { from }));
    const range = paddedRange(datasets.flatMap((d) => d.data.map((p) => p.y)), 0.03);
    const png = await renderChart({
      type: "line",
      data: { datasets },
      options: xyOptions({
        title: `Training loss, ${data.selection.suite} (${data.selection.scale} scale)${tail ? ": second half" : ""}`,
        subtitle: `cross-entropy smoothed by a trailing mean over ${
          Math.round(FINAL_LOSS_WINDOW * 100)
        }% of logged steps; line = mean over seeds, band = min–max`,
        x: "training tokens",
        y: "training cross-entropy (nats/token)",
        xTicks: tokensTick,
        xMin: tail ? from : 0,
        xMax: end,
        yMin: range?.min,
        yMax: range?.max,
      }),
    });
    out.push({
      file: tail ? "train_loss_tail.png" : "train_loss.png",
      title: tail ? "Training loss, second half" : "Training loss",
      caption: tail
        ? "The second half of training on a zoomed axis, where the differences between activations are visible."
        : "Smoothed training cross-entropy per activation: line = mean over seeds, shaded band = min–max over seeds.",
      png,
    });
  }
  return out;
}

/**
 * Validation loss against tokens, one chart per validation source.
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * const files = await valLossCharts(data);
 * ```
 */
export async function valLossCharts(data: ReportData): Promise<ChartFile[]> {
  const out: ChartFile[] = [];
  for (const source of data.sources) {
    const bands = byActivation(data, (run) => valCurve(run, source));
    if (bands.length === 0) continue;
    // Leave the step-0 evaluation out of the y range: it is the untrained model's loss and flattens the rest.
    const later = (ys: (b: CurveBand) => number[]) => bands.flatMap(([, b]) => ys(b).filter((_, i) => b.tokens[i] > 0));
    const range = paddedRange([...later((b) => b.min), ...later((b) => b.max)], 0.04);
    const end = Math.max(...bands.map(([, b]) => b.tokens[b.tokens.length - 1]));
    const datasets = bands.flatMap(([a, band]) => bandDatasets(a, band, { points: true }));
    const png = await renderChart({
      type: "line",
      data: { datasets },
      options: xyOptions({
        title: `Validation loss on '${source}', ${data.selection.suite} (${data.selection.scale} scale)`,
        subtitle:
          "loss at each evaluation; line = mean over seeds, band = min–max (axis starts after the step-0 evaluation)",
        x: "training tokens",
        y: `validation cross-entropy on ${source} (nats/token)`,
        xTicks: tokensTick,
        xMin: 0,
        // A little room on the right so the last evaluation's markers are not cut in half.
        xMax: end * 1.015,
        yMin: range?.min,
        yMax: range?.max,
      }),
    });
    out.push({
      file: `val_loss_${source.replace(/[^a-zA-Z0-9_-]/g, "_")}.png`,
      title: `Validation loss: ${source}`,
      caption:
        `Validation cross-entropy on the '${source}' held-out split at each evaluation (mean over seeds, band = min–max).`,
      png,
    });
  }
  return out;
}
