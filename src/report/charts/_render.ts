/**
 * Headless chart rendering: chart.js 4 drawing on an @napi-rs/canvas context
 * (no DOM; animation and responsiveness off), white background, error bars,
 * and a check that a font exists so axis text is not silently blank.
 * @module
 */
import { createCanvas, GlobalFonts } from "@napi-rs/canvas";
import {
  BarController,
  BarElement,
  BasicPlatform,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  type Plugin,
  PointElement,
  ScatterController,
  SubTitle,
  Title,
} from "chart.js";

Chart.register(
  LineController,
  ScatterController,
  BarController,
  LineElement,
  PointElement,
  BarElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Filler,
  Legend,
  Title,
  SubTitle,
);

/** Font families tried for chart text, first found wins. */
const FONT_CANDIDATES = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", "FreeSans"];
/** Where system fonts live on Linux and macOS, scanned once if none is known yet. */
const FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", "/System/Library/Fonts", "/Library/Fonts"];

let fontFamily: string | null = null;

/**
 * The font family charts use. Throws with the fix when the machine has no
 * font at all (text would otherwise render as nothing).
 *
 * @example
 * ```ts
 * chartFont(); // "DejaVu Sans"
 * ```
 */
export function chartFont(): string {
  if (fontFamily) return fontFamily;
  let families = GlobalFonts.families.map((f) => f.family);
  if (families.length === 0) {
    for (const dir of FONT_DIRS) {
      try {
        GlobalFonts.loadFontsFromDir(dir);
      } catch {
        // a missing folder is expected on most systems
      }
    }
    families = GlobalFonts.families.map((f) => f.family);
  }
  if (families.length === 0) {
    throw new Error(
      "no font is installed, so chart text cannot render: install one, e.g. `apt-get install fonts-dejavu-core`",
    );
  }
  fontFamily = FONT_CANDIDATES.find((f) => families.includes(f)) ?? families.find((f) => !/mono|math/i.test(f)) ??
    families[0];
  Chart.defaults.font.family = fontFamily;
  Chart.defaults.font.size = 15;
  Chart.defaults.color = "#222";
  return fontFamily;
}

const whiteBackground: Plugin = {
  id: "whiteBackground",
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** Error bars per bar dataset: `errorBars[i] = [lo, hi]` in data units, or null. */
export interface ErrorBarOptions {
  errorBars?: Array<[number, number] | null>;
}

const errorBars: Plugin = {
  id: "errorBars",
  afterDatasetsDraw(chart) {
    const { ctx, chartArea } = chart;
    const y = chart.scales.y;
    chart.data.datasets.forEach((dataset, i) => {
      const bars = (dataset as ErrorBarOptions).errorBars;
      const meta = chart.getDatasetMeta(i);
      if (!bars || meta.hidden) return;
      ctx.save();
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2;
      meta.data.forEach((element, j) => {
        const bar = bars[j];
        if (!bar || !bar.every(Number.isFinite)) return;
        const x = element.x;
        const cap = 7;
        // An interval that leaves the axes is cut at the edge and drawn with an arrow head instead of a cap.
        const ends = [y.getPixelForValue(bar[1]), y.getPixelForValue(bar[0])].map((p) => ({
          p: Math.min(chartArea.bottom, Math.max(chartArea.top, p)),
          cut: p < chartArea.top || p > chartArea.bottom,
        }));
        ctx.beginPath();
        ctx.moveTo(x, ends[0].p);
        ctx.lineTo(x, ends[1].p);
        ends.forEach((end, k) => {
          if (!end.cut) {
            ctx.moveTo(x - cap, end.p);
            ctx.lineTo(x + cap, end.p);
          } else {
            const dir = k === 0 ? 1 : -1;
            ctx.moveTo(x - cap, end.p + dir * cap);
            ctx.lineTo(x, end.p);
            ctx.lineTo(x + cap, end.p + dir * cap);
          }
        });
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

/**
 * Canvas size of every chart (pixels).
 *
 * @example
 * ```ts
 * import { createCanvas } from "@napi-rs/canvas";
 * createCanvas(CHART_SIZE.width, CHART_SIZE.height);
 * ```
 */
export const CHART_SIZE = { width: 1200, height: 700 } as const;

/**
 * Renders a chart.js configuration to PNG bytes.
 *
 * @example
 * ```ts
 * const png = await renderChart({ type: "line", data: { datasets: [{ label: "a", data: [{ x: 0, y: 1 }] }] } });
 * ```
 */
export async function renderChart(
  config: ChartConfiguration,
  size: { width: number; height: number } = CHART_SIZE,
): Promise<Uint8Array> {
  chartFont();
  const canvas = createCanvas(size.width, size.height);
  const context = canvas.getContext("2d");
  const options = config.options ?? {};
  const chart = new Chart(context as unknown as CanvasRenderingContext2D, {
    ...config,
    platform: BasicPlatform,
    options: { ...options, animation: false, responsive: false, devicePixelRatio: 1 },
    plugins: [whiteBackground, errorBars, ...(config.plugins ?? [])],
  } as ChartConfiguration);
  try {
    chart.draw();
    return new Uint8Array(await canvas.encode("png"));
  } finally {
    chart.destroy();
  }
}
