/**
 * The recipe sweep's charts (`recipe_<knob>.png`; the report shows every `recipe_` chart in its sweep section): per swept knob (learning rate, init scale), each activation's final validation loss
 * against the knob's multiplier (log axis), the other knob held at the activation's chosen value; the chosen setting
 * is the large point. Losses are the ones the choice compared (the pilot seeds).
 * @module
 */
import type { ChartDataset } from "chart.js";
import type { ArmRecipe, RecipeSweep } from "../../judge/recipe.ts";
import { type RecipeSetting, sameSetting, SUITE_RECIPE } from "../../results/recipe.ts";
import type { ReportData } from "../data.ts";
import { renderChart } from "./_render.ts";
import { colorOf, label, paddedRange } from "./_style.ts";
import type { ChartFile } from "./types.ts";

type Knob = keyof RecipeSetting;
const KNOB_NAME: Record<Knob, string> = { lr: "learning-rate multiplier", init: "init-scale multiplier" };

/** The loss the choice compared at a setting, else the mean over the setting's seeds. */
function lossAt(arm: ArmRecipe, s: RecipeSetting): number {
  const chosen = arm.choice?.means.find((m) => sameSetting(m.setting, s))?.valLoss;
  return chosen ?? arm.cells.find((c) => sameSetting(c.setting, s))?.valLoss.mean ?? NaN;
}

function datasets(sweep: RecipeSweep, knob: Knob): ChartDataset<"line", Array<{ x: number; y: number }>>[] {
  const other: Knob = knob === "lr" ? "init" : "lr";
  return sweep.arms.map((arm) => {
    const held = (arm.choice?.setting ?? SUITE_RECIPE)[other];
    const points = sweep.knobs[knob].map((x) => {
      const setting = { [knob]: x, [other]: held } as unknown as RecipeSetting;
      return { x, y: lossAt(arm, setting), chosen: arm.choice ? sameSetting(arm.choice.setting, setting) : false };
    }).filter((p) => Number.isFinite(p.y));
    return {
      label: `${label(arm.activation)} (${other} ×${held})`,
      data: points.map(({ x, y }) => ({ x, y })),
      borderColor: colorOf(arm.activation),
      backgroundColor: colorOf(arm.activation),
      pointRadius: points.map((p) => (p.chosen ? 10 : 4)),
      borderWidth: 2,
    };
  });
}

/**
 * One chart per knob the sweep varied; none without sweep results.
 *
 * @example
 * ```ts
 * import type { ReportData } from "../data.ts";
 * declare const data: ReportData;
 * const files = await recipeCharts(data);
 * ```
 */
export async function recipeCharts(data: ReportData): Promise<ChartFile[]> {
  const sweep = data.recipe;
  if (!sweep) return [];
  const out: ChartFile[] = [];
  for (const knob of ["lr", "init"] as const) {
    if (sweep.knobs[knob].length < 2) continue;
    const sets = datasets(sweep, knob);
    const range = paddedRange(sets.flatMap((d) => d.data.map((p) => p.y)), 0.08);
    const title = `Final validation loss against the ${KNOB_NAME[knob]}`;
    const png = await renderChart({
      type: "line",
      data: { datasets: sets },
      options: {
        plugins: {
          title: { display: true, text: title, font: { size: 20, weight: "bold" } },
          subtitle: {
            display: true,
            text:
              `${data.selection.suite}, ${sweep.scale} rung: pilot seed(s); large point: the activation's chosen setting`,
            font: { size: 14 },
          },
          legend: { position: "bottom", labels: { font: { size: 14 } } },
        },
        scales: {
          x: {
            type: "logarithmic",
            title: { display: true, text: `${KNOB_NAME[knob]} (× the suite's, log scale)` },
            ticks: { callback: (v) => (sweep.knobs[knob].includes(Number(v)) ? `×${Number(v)}` : "") },
          },
          y: { min: range?.min, max: range?.max, title: { display: true, text: "final validation loss (nats)" } },
        },
      },
    });
    out.push({
      file: `recipe_${knob}.png`,
      title,
      caption: `Each activation's final validation loss at every ${KNOB_NAME[knob]} tried, the other knob at the ` +
        "activation's chosen value; the large point is the setting chosen (lowest loss).",
      png,
    });
  }
  return out;
}
