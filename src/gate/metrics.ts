/**
 * The gated metrics of a run: final training loss, validation loss per
 * source, task accuracy. Names are flat keys such as `valLoss.brown`.
 * @module
 */
import type { LoadedRun } from "../results/io.ts";
import { summariseRun } from "../results/summary.ts";

/**
 * Whether smaller values of a metric are better.
 *
 * @example
 * ```ts
 * betterDirection("taskAcc.mc4"); // "higher"
 * ```
 */
export function betterDirection(metric: string): "lower" | "higher" {
  return metric.startsWith("taskAcc.") ? "higher" : "lower";
}

/**
 * Flattens a run's gated metrics.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "../results/io.ts";
 * declare const run: LoadedRun;
 * gatedMetrics(run); // { finalTrainLoss: 2.31, "valLoss.brown": 2.4, "taskAcc.mc4": 0.3 }
 * ```
 */
export function gatedMetrics(run: LoadedRun): Record<string, number> {
  const s = summariseRun(run);
  const out: Record<string, number> = { finalTrainLoss: s.finalTrainLoss };
  for (const [source, loss] of Object.entries(s.valLoss)) out[`valLoss.${source}`] = loss;
  for (const [task, acc] of Object.entries(s.taskAcc)) out[`taskAcc.${task}`] = acc;
  return out;
}
