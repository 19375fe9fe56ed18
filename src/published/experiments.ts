/**
 * The paper's two main experiments as the report needs them: which digitised
 * panels hold their curves, and the SwiGLU reference point each panel is
 * normalised by (the point the paper's speed-ups are measured against).
 * @module
 */
import { ACTIVATIONS } from "../activations/table.ts";
import { publishedDocument, readCurves } from "./load.ts";
import { resolveNumber } from "./pointer.ts";

/**
 * Ids of the published experiments the suites reproduce (the suite schema reads this list).
 *
 * @example
 * ```ts
 * EXPERIMENT_IDS.includes("dense_1B"); // true
 * ```
 */
export const EXPERIMENT_IDS = ["dense_1B", "moe_1B_active_7B_total"] as const;

/** Id of a published experiment. */
export type ExperimentId = typeof EXPERIMENT_IDS[number];

/**
 * Whether a string names a published experiment.
 *
 * @example
 * ```ts
 * isExperimentId("vision_300M"); // false
 * ```
 */
export function isExperimentId(id: string): id is ExperimentId {
  return (EXPERIMENT_IDS as readonly string[]).includes(id);
}

/**
 * Series names of the paper's figures, by the project's activation id (the activation table's display names).
 *
 * @example
 * ```ts
 * PAPER_SERIES_NAMES.polynorm; // "PolyNorm"
 * ```
 */
export const PAPER_SERIES_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ACTIVATIONS).map(([id, row]) => [id, row.displayName]),
);

/**
 * The display name of an activation id (the paper's spelling where it has one).
 *
 * @example
 * ```ts
 * displayName("polynorm"); // "PolyNorm"
 * ```
 */
export function displayName(activation: string): string {
  return PAPER_SERIES_NAMES[activation] ?? activation;
}

/** A digitised panel and the SwiGLU point it is normalised by. */
export interface PaperPanel {
  /** Short label, e.g. "training loss" or "validation loss (C4)". */
  label: string;
  file: string;
  /** What the y axis holds. `ppl` is the dense figure's undocumented "Validation PPL". */
  kind: "loss" | "ppl" | "accuracy";
  /** SwiGLU's value at the paper's final point, and that point's tokens (billions). */
  reference: { tokensB: number; value: number };
}

/** What the report uses of one published experiment. */
export interface PaperExperiment {
  id: ExperimentId;
  title: string;
  /** Training tokens of the paper's runs. */
  budgetTokens: number;
  /** Total parameters of the paper's SwiGLU model (derived in the paper data; MoE: all experts). */
  parameters: number;
  train: PaperPanel;
  validation: PaperPanel[];
}

function derived(pointer: string): number {
  return resolveNumber(publishedDocument("derived_from_curves.json"), pointer);
}

function published(pointer: string): number {
  return resolveNumber(publishedDocument("published.json"), pointer);
}

/**
 * The paper's reference data for an experiment.
 *
 * @example
 * ```ts
 * paperExperiment("dense_1B").train.reference; // { tokensB: 250, value: 2.1902 }
 * ```
 */
export function paperExperiment(id: ExperimentId): PaperExperiment {
  return PAPER_EXPERIMENTS[id]();
}

const moePanel = (label: string, file: string, panel: string): PaperPanel => ({
  label,
  file,
  kind: "loss",
  reference: {
    tokensB: derived(`/panels/${panel}/SwiGLU_final/x`),
    value: derived(`/panels/${panel}/SwiGLU_final/y`),
  },
});

/** Each experiment's reference data, keyed by id: the compiler asks for an entry when an id is added. */
const PAPER_EXPERIMENTS: Record<ExperimentId, () => PaperExperiment> = {
  dense_1B: () => ({
    id: "dense_1B",
    title: "Dense 1B (Llama-2 style, 250B tokens)",
    budgetTokens: published("/experiments/0/training_tokens/paper"),
    parameters: published("/experiments/0/model/params_derived/total_swiglu_approx"),
    train: {
      label: "training loss",
      file: "curves_dense_train_loss.csv",
      kind: "loss",
      reference: { tokensB: 250, value: derived("/panels/dense_train_loss/SwiGLU_value_at_250B") },
    },
    validation: [{
      label: "validation PPL (undocumented quantity)",
      file: "curves_dense_val_ppl.csv",
      kind: "ppl",
      reference: { tokensB: 250, value: derived("/panels/dense_val_ppl/SwiGLU_value_at_250B") },
    }],
  }),
  moe_1B_active_7B_total: () => ({
    id: "moe_1B_active_7B_total",
    title: "MoE 1B active / 7B total (OLMoE, 200B tokens)",
    budgetTokens: published("/experiments/1/training_tokens/paper"),
    parameters: published("/experiments/1/model/params_derived/total_approx"),
    train: moePanel("training loss", "curves_moe_train_loss.csv", "moe_train_loss"),
    validation: [
      moePanel("validation loss (C4)", "curves_moe_val_loss_c4.csv", "moe_val_loss_c4"),
      moePanel("validation loss (Wikipedia)", "curves_moe_val_loss_wikipedia.csv", "moe_val_loss_wikipedia"),
    ],
  }),
};

/**
 * A panel's bold series for one activation on normalised axes: x = tokens as a
 * fraction of the reference point, y = value / SwiGLU's reference value.
 * Points hidden by the published axes are dropped, the rest sorted by x and,
 * for long series, averaged into at most `maxPoints` bins.
 *
 * @example
 * ```ts
 * const exp = paperExperiment("dense_1B");
 * normalisedPaperCurve(exp.train, "polynorm"); // [{ x: 0.1, y: 1.086 }, ...]
 * ```
 */
export function normalisedPaperCurve(
  panel: PaperPanel,
  activation: string,
  maxPoints = 400,
): Array<{ x: number; y: number }> {
  const name = PAPER_SERIES_NAMES[activation];
  const series = readCurves(panel.file).find((s) => s.series === name && s.trace === "bold");
  if (!series) return [];
  const points = series.points.filter((p) => !p.clipped)
    .map((p) => ({ x: p.x / panel.reference.tokensB, y: p.y / panel.reference.value }))
    .sort((a, b) => a.x - b.x);
  if (points.length <= maxPoints) return points;
  const lo = points[0].x;
  const width = (points[points.length - 1].x - lo) / maxPoints;
  const bins: Array<{ sx: number; sy: number; n: number }> = [];
  for (const p of points) {
    const i = Math.min(maxPoints - 1, Math.floor((p.x - lo) / width));
    bins[i] ??= { sx: 0, sy: 0, n: 0 };
    bins[i].sx += p.x;
    bins[i].sy += p.y;
    bins[i].n += 1;
  }
  return bins.filter(Boolean).map((b) => ({ x: b.sx / b.n, y: b.sy / b.n }));
}
