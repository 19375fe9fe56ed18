/**
 * The numbers a run is judged by, defined once for the report and the gate.
 * @module
 */
import type { EvalRow, MetricsRow } from "./schema.ts";
import type { LoadedRun } from "./io.ts";

/** Fraction of the last logged steps averaged into the final training loss. */
export const FINAL_LOSS_WINDOW = 0.05;

/**
 * Final training loss: the mean cross-entropy over the last 5% of logged
 * steps (at least one row), which damps batch-to-batch noise without lagging
 * far behind the end of the run. `NaN` when nothing was logged.
 *
 * @example
 * ```ts
 * import type { MetricsRow } from "./schema.ts";
 * finalTrainLoss([{ step: 1, ce: 3 }, { step: 2, ce: 2 }] as MetricsRow[]); // 2
 * ```
 */
export function finalTrainLoss(metrics: readonly Pick<MetricsRow, "ce">[]): number {
  if (metrics.length === 0) return NaN;
  const n = Math.max(1, Math.round(metrics.length * FINAL_LOSS_WINDOW));
  const tail = metrics.slice(-n);
  return tail.reduce((sum, row) => sum + row.ce, 0) / tail.length;
}

/**
 * The last evaluation of a run, or `null`.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "./layout.ts";
 * declare const run: LoadedRun;
 * finalEval(run.evals)?.sources.brown.loss;
 * ```
 */
export function finalEval(evals: readonly EvalRow[]): EvalRow | null {
  return evals.length ? evals[evals.length - 1] : null;
}

/** The headline numbers of one run, flat and JSON-friendly. */
export interface RunSummary {
  suite: string;
  activation: string;
  seed: number;
  status: string;
  finalTrainLoss: number;
  /** Validation loss per source at the last evaluation. */
  valLoss: Record<string, number>;
  /** Task accuracies (acc) at the last evaluation. */
  taskAcc: Record<string, number>;
  tokensPerSecond: number;
}

/**
 * Summarises a loaded run.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "./layout.ts";
 * declare const run: LoadedRun;
 * const s = summariseRun(run);
 * ```
 */
export function summariseRun(run: LoadedRun): RunSummary {
  const last = finalEval(run.evals);
  return {
    suite: run.record.suite,
    activation: run.record.activation,
    seed: run.record.seed,
    status: run.record.status,
    finalTrainLoss: finalTrainLoss(run.metrics),
    valLoss: Object.fromEntries(Object.entries(last?.sources ?? {}).map(([k, v]) => [k, v.loss])),
    taskAcc: Object.fromEntries(Object.entries(last?.tasks ?? {}).map(([k, v]) => [k, v.acc])),
    tokensPerSecond: run.record.timings.tokensPerSecond,
  };
}
