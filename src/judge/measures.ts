/**
 * The measure registry: everything the judge, the markdown and the charts
 * need to know about one measure, in one entry. A claim names a measure by
 * id; evaluation reads how to get its per-run value and how to pair it, the
 * markdown its unit, digits and description, the charts their labels.
 * Adding a measure is one entry here (see ARCHITECTURE.md).
 * @module
 */
import { finalEval, finalTrainLoss, finalValLoss, type LoadedRun } from "../results/mod.ts";
import { type Curve, trainCurve, valCurve } from "./curves.ts";

/** Which way is better for a measure's per-run value (speed-ups: faster = higher). */
export type Direction = "lower" | "higher";

/** One measure. */
export interface MeasureSpec {
  /**
   * How a seed's two runs become the paired quantity d: `difference` d = a − b of the per-run values;
   * `speedup` d = ln(speed-up of a over b) read off the two runs' curves (see curves.ts).
   */
  pairing: "difference" | "speedup";
  /** The per-run value (`difference` measures), NaN when the run lacks it; `source` for per-source measures. */
  value?: (run: LoadedRun, source?: string) => number;
  /** The curve a speed-up is read from (`speedup` measures). */
  curve?: (run: LoadedRun) => Curve;
  /**
   * Set when the measure is compared on each validation source separately; `whole` is the measure over all
   * sources, used when the runs name no source.
   */
  perSource?: { whole: string };
  /** Unit of d as the report prints it. */
  unit: string;
  /** Decimal places of d in tables. */
  digits: number;
  /** What d is, for the report ("d = final training loss difference (nats)"). */
  description: string;
  /** Which way is better. */
  better: Direction;
  /** Legend labels when the measure is drawn beside the paper's values. */
  chart?: { ours: string; paper: string };
}

const mean = (values: number[]) => values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
const SPEEDUP_DESCRIPTION = "speed-up (x): geometric mean over seeds, interval from ln(speed-up)";

/**
 * Every measure, by id.
 *
 * @example
 * ```ts
 * MEASURES.taskAcc.better; // "higher"
 * ```
 */
export const MEASURES = {
  trainLoss: {
    pairing: "difference",
    value: (run) => finalTrainLoss(run.metrics),
    unit: "nats",
    digits: 4,
    description: "d = final training loss difference (nats)",
    better: "lower",
  },
  valLoss: {
    pairing: "difference",
    value: (run) => finalValLoss(run.evals),
    unit: "nats",
    digits: 4,
    description: "d = final validation loss difference, mean over sources (nats)",
    better: "lower",
  },
  valLossPerSource: {
    pairing: "difference",
    value: (run, source) => finalEval(run.evals)?.sources[source ?? ""]?.loss ?? NaN,
    perSource: { whole: "valLoss" },
    unit: "nats",
    digits: 4,
    description: "d = final validation loss difference on each source (nats)",
    better: "lower",
  },
  taskAcc: {
    pairing: "difference",
    value: (run) => mean(Object.values(finalEval(run.evals)?.tasks ?? {}).map((t) => t.acc)),
    unit: "fraction correct",
    digits: 3,
    description: "d = final accuracy difference, mean over tasks (fraction correct)",
    better: "higher",
  },
  trainSpeedup: {
    pairing: "speedup",
    curve: trainCurve,
    unit: "x",
    digits: 3,
    description: SPEEDUP_DESCRIPTION,
    better: "higher",
    chart: { ours: "ours, training loss", paper: "paper, training loss" },
  },
  valSpeedup: {
    pairing: "speedup",
    curve: (run) => valCurve(run),
    unit: "x",
    digits: 3,
    description: SPEEDUP_DESCRIPTION,
    better: "higher",
    chart: { ours: "ours, validation", paper: "paper, validation (MoE: C4)" },
  },
} as const satisfies Record<string, MeasureSpec>;

/** A measure id. */
export type Measure = keyof typeof MEASURES;

/**
 * The entry of a measure.
 *
 * @example
 * ```ts
 * measureSpec("trainSpeedup").pairing; // "speedup"
 * ```
 */
export function measureSpec(measure: Measure): MeasureSpec {
  return MEASURES[measure];
}
