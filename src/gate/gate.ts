/**
 * The gate's judgement of finished runs, from result files only: the gated
 * metrics and claim verdicts of the runs, compared with a baseline. Training
 * the gated runs is `run.ts`'s job; this file loads neither tfjs, the model
 * nor the chart renderer (tests/architecture/imports_test.ts).
 * @module
 */
import type { LoadedRun } from "../results/io.ts";
import { claimVerdicts, type Verdict } from "../judge/mod.ts";
import type { Baseline, BaselineRun } from "./baseline.ts";
import { compareWithBaseline, type GateResult } from "./compare.ts";
import type { GateTiming } from "./format.ts";
import { gatedMetrics } from "./metrics.ts";

/** The shipped gate suite and where its baseline lives. */
export const GATE_SUITE = "gate";
/** Default baseline path. */
export const DEFAULT_BASELINE = "baselines/gate.json";

/** What the gate found. */
export interface GateOutcome {
  result: GateResult;
  baseline: Baseline;
  timings: GateTiming[];
  updated: boolean;
}

/**
 * The gated metrics of runs that ended: a failed run has no metrics to gate and shows up as missing instead.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "../results/io.ts";
 * declare const runs: LoadedRun[];
 * toBaselineRuns(runs).map((r) => r.metrics);
 * ```
 */
export function toBaselineRuns(runs: LoadedRun[]): BaselineRun[] {
  return runs.filter((r) => r.record.status === "finished" || r.record.status === "diverged").map((r) => ({
    activation: r.record.activation,
    seed: r.record.seed,
    metrics: gatedMetrics(r),
  }));
}

/**
 * Throughput and training time per run, for the gate's timing table.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "../results/io.ts";
 * declare const runs: LoadedRun[];
 * timingsOf(runs)[0].tokensPerSecond;
 * ```
 */
export function timingsOf(runs: LoadedRun[]): GateTiming[] {
  return runs.map((r) => ({
    run: `${r.record.activation} seed ${r.record.seed}`,
    tokensPerSecond: r.record.timings.tokensPerSecond,
    trainSeconds: r.record.timings.trainSeconds,
  }));
}

/** What the gate measures of a set of finished runs. */
export interface GateMeasurement {
  runs: BaselineRun[];
  verdicts: Record<string, Verdict>;
  timings: GateTiming[];
}

/**
 * Measures runs for the gate: gated metrics, claim verdicts and timings.
 *
 * @example
 * ```ts
 * import { loadRuns } from "../results/io.ts";
 * const m = measureGateRuns(await loadRuns("results", "gate"));
 * ```
 */
export function measureGateRuns(runs: LoadedRun[]): GateMeasurement {
  return { runs: toBaselineRuns(runs), verdicts: claimVerdicts(runs), timings: timingsOf(runs) };
}

/**
 * Judges measured runs against a baseline.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "../results/io.ts";
 * import { readBaseline } from "./baseline.ts";
 * declare const runs: LoadedRun[];
 * const outcome = judgeGate(measureGateRuns(runs), await readBaseline(DEFAULT_BASELINE));
 * outcome.result.passed;
 * ```
 */
export function judgeGate(measured: GateMeasurement, baseline: Baseline, updated = false): GateOutcome {
  return {
    result: compareWithBaseline(baseline, measured.runs, measured.verdicts),
    baseline,
    timings: measured.timings,
    updated,
  };
}
