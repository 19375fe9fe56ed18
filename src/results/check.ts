/**
 * Consistency checks readers run on every run they load: steps strictly
 * increasing (no duplicates, nothing out of order), no rows after the step a
 * finished record ends at, and a finished record whose last rows are at its
 * last step. A run that fails is an error naming the file, never averaged.
 * @module
 */
import { join } from "node:path";
import { UsageError } from "../util/errors.ts";
import { type LoadedRun, RUN_FILES, runEnded } from "./layout.ts";

function checkSteps(path: string, steps: readonly number[], last: number | null): void {
  for (let i = 1; i < steps.length; i++) {
    if (steps[i] === steps[i - 1]) {
      throw new UsageError(`${path}: step ${steps[i]} appears twice (rows ${i} and ${i + 1})`);
    }
    if (steps[i] < steps[i - 1]) {
      throw new UsageError(
        `${path}: step ${steps[i]} (row ${i + 1}) comes after step ${steps[i - 1]}: rows out of order`,
      );
    }
  }
  if (last !== null && steps.length && steps[steps.length - 1] > last) {
    throw new UsageError(`${path}: rows up to step ${steps[steps.length - 1]} after the run ended at step ${last}`);
  }
}

/**
 * Throws a UsageError naming the offending file when a run's rows and record disagree.
 *
 * @example
 * ```ts
 * import { loadRuns } from "./io.ts";
 * const runs = await loadRuns("results");
 * for (const run of runs) checkRun(run);
 * ```
 */
export function checkRun(run: LoadedRun): void {
  const r = run.record;
  const ended = runEnded(r);
  const last = ended ? r.progress.step : null;
  const metricsPath = join(run.dir, RUN_FILES.metrics);
  checkSteps(metricsPath, run.metrics.map((m) => m.step), last);
  checkSteps(join(run.dir, RUN_FILES.evals), run.evals.map((e) => e.step), last);
  if (!ended) return;
  const recordPath = join(run.dir, RUN_FILES.record);
  if (r.status === "finished" && r.progress.step !== r.progress.totalSteps) {
    throw new UsageError(`${recordPath}: finished at step ${r.progress.step} of ${r.progress.totalSteps}`);
  }
  // A record without rows has no numbers to average (the report lists it as such); rows must end where it does.
  const lastRow = run.metrics.at(-1)?.step;
  if (lastRow !== undefined && lastRow !== r.progress.step) {
    throw new UsageError(
      `${metricsPath}: the last row is at step ${
        lastRow ?? "none"
      } but ${RUN_FILES.record} says the run ended at step ${r.progress.step}`,
    );
  }
  if (r.status === "finished" && run.evals.length && run.evals.at(-1)?.step !== r.progress.step) {
    throw new UsageError(`${join(run.dir, RUN_FILES.evals)}: no evaluation at the final step ${r.progress.step}`);
  }
}
