/**
 * Bar charts: the final gap to SwiGLU and the convergence speed-up, ours
 * (mean over seeds with its 95% interval) beside the paper's single run; and
 * throughput per run.
 * @module
 */
import type { ChartDataset, ChartOptions } from "chart.js";
import type { Comparison } from "../../judge/evaluate.ts";
import { type Measure, MEASURES, measureSpec } from "../../judge/measures.ts";
import type { ReportData } from "../data.ts";
import { renderChart } from "./_render.ts";
import { colorOf, label, paddedRange } from "./_style.ts";
import type { ChartFile } from "./types.ts";

type Bar = ChartDataset<"bar", Array<number | null>> & { errorBars?: Array<[number, number] | null> };

/** Colours of our bars and the paper's, the same in every bar chart. */
const OURS = "#3a6ea5";
const PAPER = "#a9c4e2";
const OURS_VAL = "#b5562b";
const PAPER_VAL = "#ecb99f";

/**
 * The value-axis range of a bar chart: the bars (and 0) plus their error bars,
 * where an error bar may stretch the axis by at most the bars' own span (a
 * two-seed interval can be enormous and would flatten every bar).
 */
function barRange(datasets: Bar[], floor = 0): { min: number; max: number } {
  const values = [
    floor,
    ...datasets.flatMap((d) => d.data.filter((v): v is number => v !== null && Number.isFinite(v))),
  ];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || Math.abs(hi) || 1;
  const ends = datasets.flatMap((d) => (d.errorBars ?? []).flatMap((b) => b ?? [])).filter(Number.isFinite)
    .map((v) => Math.min(hi + span, Math.max(lo - span, v)));
  const range = paddedRange([...values, ...ends], 0.05)!;
  // Bars grow from the floor: keep it as the axis edge unless something lies below it.
  const below = Math.min(...values, ...ends) < floor;
  return { min: below ? range.min : floor, max: range.max };
}

function barOptions(
  title: string,
  subtitle: string,
  y: string,
  horizontal = false,
  range?: { min: number; max: number },
): ChartOptions<"bar"> {
  const value = {
    min: range?.min,
    max: range?.max,
    title: { display: true, text: y, font: { size: 16 } },
    ticks: { font: { size: 14 }, includeBounds: false },
    grid: { color: "#e4e4e4" },
  };
  const category = { ticks: { font: { size: 15 } }, grid: { display: false } };
  return {
    indexAxis: horizontal ? "y" : "x",
    datasets: { bar: { maxBarThickness: 110 } },
    layout: { padding: { left: 12, right: 24, top: 8, bottom: 8 } },
    plugins: {
      title: { display: true, text: title, font: { size: 20, weight: "bold" }, padding: { top: 6, bottom: 4 } },
      subtitle: { display: true, text: subtitle, font: { size: 14 }, color: "#555", padding: { bottom: 10 } },
      legend: { position: "bottom", labels: { font: { size: 15 }, filter: (item) => !item.text.startsWith("_") } },
    },
    scales: horizontal ? { x: value, y: category } : { x: category, y: value },
  };
}

function paperOf(c?: Comparison): number | null {
  return typeof c?.paper?.value === "number" ? c.paper.value : null;
}

/**
 * Final training-loss gap to the baseline per activation: ours vs the paper's.
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * const files = await gapChart(data);
 * ```
 */
export async function gapChart(data: ReportData): Promise<ChartFile[]> {
  const ours = data.versusBaseline.train.filter((c) => c.pairs.length > 0);
  if (ours.length === 0) return [];
  const gapClaim = data.claims.find((r) => r.claim.id.endsWith(".train_loss_gap"));
  const paperOf = (a: string) => {
    const spec = gapClaim && "comparisons" in gapClaim.claim.test
      ? gapClaim.claim.test.comparisons.find((c) => c.activation === a)
      : undefined;
    return typeof spec?.paper?.value === "number" ? spec.paper.value : null;
  };
  const labels = ours.map((c) => label(c.activation));
  const datasets: Bar[] = [
    {
      label: "ours: mean paired gap over seeds (error bar = 95% t-interval)",
      data: ours.map((c) => c.interval.mean),
      backgroundColor: OURS,
      errorBars: ours.map((c) => (c.pairs.length > 1 ? [c.interval.lo, c.interval.hi] : null)),
    },
    {
      label: "paper: single run at 250B (dense) / 202B (MoE) tokens",
      data: ours.map((c) => paperOf(c.activation)),
      backgroundColor: PAPER,
    },
  ];
  const base = label(data.selection.baseline);
  const png = await renderChart({
    type: "bar",
    data: { labels, datasets },
    options: barOptions(
      `Final training loss minus ${base}`,
      `${data.selection.suite} (${data.selection.scale} scale); below 0 = better than ${base}; dark = ours, pale = paper`,
      `final training loss − ${base} (nats)`,
      false,
      barRange(datasets, 0),
    ),
  });
  return [{
    file: "gap_vs_paper.png",
    title: `Final gap to ${base}, ours vs paper`,
    caption:
      `Dark bars: our mean paired difference (activation − ${base}) of the final training loss, with its 95% t-interval. Pale bars: the paper's gap read off its figure (no bar where it publishes none).`,
    png,
  }];
}

/**
 * Convergence speed-up over the baseline (training and validation): ours
 * (geometric mean with its 95% interval) vs the paper's.
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * const files = await speedupChart(data);
 * ```
 */
export async function speedupChart(data: ReportData): Promise<ChartFile[]> {
  // One pair of bars (ours, paper) per speed-up measure of the registry, in its order.
  const measures = (Object.keys(MEASURES) as Measure[]).filter((m) => MEASURES[m].pairing === "speedup");
  const lists = measures.map((m) => ({
    chart: measureSpec(m).chart ?? { ours: `ours, ${m}`, paper: `paper, ${m}` },
    comparisons: data.claims.find((r) => r.claim.measure === m)?.comparisons ?? [],
  }));
  const activations = [
    ...new Set(lists.flatMap((l) => l.comparisons).filter((c) => c.pairs.length > 0).map((c) => c.activation)),
  ];
  if (activations.length === 0) return [];
  const find = (list: Comparison[], a: string) => list.find((c) => c.activation === a);
  const geo = (c?: Comparison) => (c && c.pairs.length ? Math.exp(c.interval.mean) : null);
  const ci = (c?: Comparison): [number, number] | null =>
    c && c.pairs.length > 1 ? [Math.exp(c.interval.lo), Math.exp(c.interval.hi)] : null;
  const never = (c?: Comparison) => typeof c?.paper?.value === "string";
  const labels = activations.map((a) => {
    const t = find(lists[0]?.comparisons ?? [], a);
    return never(t) ? `${label(a)} (paper: never reached)` : label(a);
  });
  const colours = [[OURS, PAPER], [OURS_VAL, PAPER_VAL]];
  const datasets: Bar[] = lists.flatMap((l, i): Bar[] => [
    {
      label: l.chart.ours,
      data: activations.map((a) => geo(find(l.comparisons, a))),
      backgroundColor: colours[i % colours.length][0],
      errorBars: activations.map((a) => ci(find(l.comparisons, a))),
    },
    {
      label: l.chart.paper,
      data: activations.map((a) => paperOf(find(l.comparisons, a))),
      backgroundColor: colours[i % colours.length][1],
    },
  ]);
  const base = label(data.selection.baseline);
  const options = barOptions(
    `Convergence speed-up over ${base}`,
    `tokens ${base} needs for its final loss ÷ tokens the activation needs for the same loss; > 1 = faster; error bars = 95% interval`,
    "speed-up (×)",
    false,
    barRange(datasets, 0),
  );
  const one = {
    id: "oneLine",
    afterDatasetsDraw(
      chart: {
        ctx: CanvasRenderingContext2D;
        chartArea: { left: number; right: number };
        scales: Record<string, { getPixelForValue(v: number): number }>;
      },
    ) {
      const y = chart.scales.y.getPixelForValue(1);
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.setLineDash([8, 5]);
      ctx.strokeStyle = "#333";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(chartArea.left, y);
      ctx.lineTo(chartArea.right, y);
      ctx.stroke();
      ctx.restore();
    },
  };
  const png = await renderChart({ type: "bar", data: { labels, datasets }, options, plugins: [one as never] });
  return [{
    file: "speedup.png",
    title: `Convergence speed-up over ${base}`,
    caption:
      `Per seed: ${base}'s tokens ÷ the tokens the activation needs to reach ${base}'s final (smoothed) loss; below 1 when it never reaches it (see the method). Bars: geometric mean over seeds with its 95% interval; pale: the paper's value; dashed line: no speed-up.`,
    png,
  }];
}

/**
 * Training throughput (tokens/s over the whole run) of every run.
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * const files = await throughputChart(data);
 * ```
 */
export async function throughputChart(data: ReportData): Promise<ChartFile[]> {
  const order = (a: string) => data.activations.indexOf(a);
  const runs = data.selection.runs.filter((r) => r.record.timings.tokensPerSecond > 0)
    .sort((a, b) => order(a.record.activation) - order(b.record.activation) || a.record.seed - b.record.seed);
  if (runs.length === 0) return [];
  const labels = runs.map((r) => `${label(r.record.activation)} s${r.record.seed}`);
  const png = await renderChart(
    {
      type: "bar",
      data: {
        labels,
        datasets: [{
          label: "_tokens/s",
          data: runs.map((r) => r.record.timings.tokensPerSecond),
          backgroundColor: runs.map((r) => colorOf(r.record.activation)),
        }],
      },
      options: barOptions(
        "Training throughput per run",
        `${data.selection.suite} (${data.selection.scale} scale); training steps only (evaluation and checkpoints excluded)`,
        "training tokens per second",
        true,
      ),
    },
    { width: 1200, height: Math.max(420, 140 + 34 * runs.length) },
  );
  return [{
    file: "throughput.png",
    title: "Throughput per run",
    caption:
      "Training tokens per second of each run over its whole run (training steps only). Timings on a shared machine are noisy.",
    png,
  }];
}
