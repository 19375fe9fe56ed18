/**
 * Shared look of the report's charts: one colour per activation (from the
 * activation table), axis and title options, point thinning.
 * @module
 */
import { Chart, type ChartOptions, type LegendItem } from "chart.js";
import { activationRow } from "../../activations/table.ts";
import { displayName } from "../../published/mod.ts";

/** Colours for activations the table does not know (results written by other code). */
const SPARE = ["#666666", "#17becf", "#bcbd22", "#1f77b4"];

/**
 * The colour of an activation.
 *
 * @example
 * ```ts
 * colorOf("polynorm"); // "#e41a1c"
 * ```
 */
export function colorOf(activation: string): string {
  const row = activationRow(activation);
  if (row) return row.colour;
  let h = 0;
  for (const c of activation) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return SPARE[h % SPARE.length];
}

/**
 * A `#rrggbb` colour with alpha, as `rgba()`.
 *
 * @example
 * ```ts
 * withAlpha("#ff0000", 0.5); // "rgba(255, 0, 0, 0.5)"
 * ```
 */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * The activation's display name.
 *
 * @example
 * ```ts
 * label("relu2"); // "ReLU²"
 * ```
 */
export const label = displayName;

/**
 * Keeps at most `max` points, evenly spaced, always keeping the last.
 *
 * @example
 * ```ts
 * thin([1, 2, 3, 4, 5], 3); // [1, 3, 5]
 * ```
 */
export function thin<T>(points: readonly T[], max = 400): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]);
  return out;
}

/**
 * Compact token counts for axis ticks (1.2k, 3.4M, 250B).
 *
 * @example
 * ```ts
 * tokensTick(1_500_000); // "1.5M"
 * ```
 */
export function tokensTick(value: number): string {
  const abs = Math.abs(value);
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  if (abs >= 1e9) return `${fmt(value / 1e9)}B`;
  if (abs >= 1e6) return `${fmt(value / 1e6)}M`;
  if (abs >= 1e3) return `${fmt(value / 1e3)}k`;
  return fmt(value);
}

/**
 * Options of a chart with linear x and y axes, a title, a subtitle line and a legend.
 *
 * @example
 * ```ts
 * xyOptions({ title: "Training loss", x: "tokens", y: "loss" });
 * ```
 */
export function xyOptions(o: {
  title: string;
  subtitle?: string;
  x: string;
  y: string;
  xTicks?: (value: number) => string;
  yMin?: number;
  yMax?: number;
  xMin?: number;
  xMax?: number;
  legendFilter?: (text: string) => boolean;
}): ChartOptions<"line"> {
  return {
    layout: { padding: { left: 12, right: 24, top: 8, bottom: 8 } },
    plugins: {
      title: { display: true, text: o.title, font: { size: 20, weight: "bold" }, padding: { top: 6, bottom: 4 } },
      subtitle: {
        display: Boolean(o.subtitle),
        text: o.subtitle ?? "",
        font: { size: 14 },
        color: "#555",
        padding: { bottom: 10 },
      },
      legend: {
        position: "bottom",
        labels: {
          usePointStyle: true,
          pointStyleWidth: 36,
          font: { size: 15 },
          filter: (item) => !item.text.startsWith("_") && (o.legendFilter?.(item.text) ?? true),
          generateLabels: lineLegend,
        },
      },
    },
    scales: {
      x: {
        type: "linear",
        min: o.xMin,
        max: o.xMax,
        title: { display: true, text: o.x, font: { size: 16 } },
        ticks: {
          callback: (v) => (o.xTicks ? o.xTicks(Number(v)) : String(v)),
          font: { size: 14 },
          includeBounds: false,
        },
        grid: { color: "#e4e4e4" },
      },
      y: {
        type: "linear",
        min: o.yMin,
        max: o.yMax,
        title: { display: true, text: o.y, font: { size: 16 } },
        ticks: { font: { size: 14 }, includeBounds: false },
        grid: { color: "#e4e4e4" },
      },
    },
  };
}

/**
 * Legend entries drawn as short lines in the dataset's colour and dash, so
 * that solid and dashed series can be told apart in the legend.
 */
function lineLegend(chart: Chart): LegendItem[] {
  const defaults = Chart.defaults.plugins.legend.labels.generateLabels(chart);
  // With point-style legends chart.js takes the style from the points, which have no dash: use the line's.
  return defaults.map((item) => {
    const dataset = chart.data.datasets[item.datasetIndex ?? 0] as { borderDash?: number[]; borderColor?: unknown };
    const color = typeof dataset.borderColor === "string" ? dataset.borderColor : item.strokeStyle;
    return {
      ...item,
      pointStyle: "line",
      lineWidth: 3,
      lineDash: dataset.borderDash ?? [],
      strokeStyle: color,
      fillStyle: color,
    };
  });
}

/**
 * The range of values with a small margin, for axis limits.
 *
 * @example
 * ```ts
 * paddedRange([1, 2]); // { min: 0.95, max: 2.05 }
 * ```
 */
export function paddedRange(values: readonly number[], pad = 0.05): { min: number; max: number } | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return null;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const margin = (hi - lo) * pad || Math.abs(hi) * 0.01 || 0.01;
  return { min: lo - margin, max: hi + margin };
}
