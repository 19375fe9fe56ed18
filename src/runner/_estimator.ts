/**
 * Per-run wall-time estimates for the planner: a training probe of the run's
 * shape when a step is cheap enough to measure, else the measured FLOP rate
 * of the suite's largest probed shape scaled by the run's FLOPs.
 */
import type { BackendInfo } from "../backend/mod.ts";
import { flopsPerToken } from "../model/counts.ts";
import type { PlannedRun } from "./plan.ts";
import { estimateSeconds, openProber, RUN_OVERHEAD_SECONDS } from "./probe.ts";
import { resolveConfig } from "./plan.ts";
import { budgetRungs } from "./budget.ts";
import { loadSuites } from "../suite/load.ts";
import { Calibration, type Timed } from "./calibration.ts";

/** Longest predicted training step the planner measures directly (seconds); larger shapes are extrapolated. */
export const PROBE_MAX_STEP_SECONDS = 3;

/**
 * The share of a FLOP-extrapolated training time that is surely spent: a larger shape may run faster per FLOP than
 * the one measured, but not twice as fast as the next smaller rung or another suite's shape.
 */
const LOWER_BOUND_SHARE = 0.5;

/** Estimates runs, probing lazily. */
export interface Estimator {
  estimate(run: PlannedRun): Promise<number>;
  /**
   * A lower bound on a run's seconds without probing: half its training FLOPs over the fastest rate measured so far
   * (its suite's, else any suite's: an MoE step does fewer FLOP/s than a dense one); null before any probe.
   */
  lowerBound(run: PlannedRun): number | null;
  /** Scales later estimates of a suite's runs by what its finished runs took against their estimates (calibration.ts). */
  calibrate(suite: string, observed: ReadonlyArray<Timed>): void;
  /** How the estimates were made, in one line. */
  basis(): string;
  save(): Promise<void>;
}

const flopsPerStep = (run: PlannedRun) =>
  flopsPerToken(run.config.model, run.config.train.seqLen) * run.config.train.tokensPerStep;

/**
 * Opens the estimator for this machine and code.
 *
 * @example
 * ```ts
 * import { initBackend } from "../backend/mod.ts";
 * import { codeVersion } from "./code_version.ts";
 * import type { PlannedRun } from "./plan.ts";
 * declare const run: PlannedRun;
 * const env = await initBackend("wasm");
 * const code = await codeVersion();
 * const estimator = await makeEstimator(".cache", env, code.sourceHash, 1);
 * await estimator.estimate(run); // seconds
 * ```
 */
export async function makeEstimator(
  cacheDir: string,
  env: BackendInfo,
  codeHash: string,
  threads: number,
  jobs = 1,
): Promise<Estimator> {
  // With several jobs, each probe runs beside jobs − 1 copies of itself: the contention of the real run.
  const prober = await openProber(cacheDir, env, codeHash, threads, jobs);
  /** Training FLOP/s and evaluation share per suite, from its largest probed shape. */
  const rates = new Map<string, { flopsPerSecond: number; flops: number; evalShare: number }>();
  let probed = 0;
  let cached = 0;
  let extrapolated = 0;
  const measure = async (run: PlannedRun) => {
    const probe = await prober.probe(run.config);
    if (probe.cached) cached++;
    else probed++;
    const seconds = estimateSeconds(run.config, probe);
    const trainSeconds = run.config.train.steps * probe.secondsPerStep;
    const rate = rates.get(run.config.suite);
    if (!rate || flopsPerStep(run) >= rate.flops) {
      rates.set(run.config.suite, {
        flopsPerSecond: flopsPerStep(run) / probe.secondsPerStep,
        flops: flopsPerStep(run),
        evalShare: Math.max(0, seconds - trainSeconds) / Math.max(1e-9, trainSeconds),
      });
    }
    return seconds;
  };
  const calibration = new Calibration();
  const estimate = async (run: PlannedRun): Promise<number> =>
    calibration.factor(run.config.suite) * await probeEstimate(run);
  const probeEstimate = async (run: PlannedRun): Promise<number> => {
    let rate = rates.get(run.config.suite);
    if (!rate) {
      // Calibrate on the suite's smallest ladder rung before deciding whether this run is cheap enough to probe.
      const [loaded] = (await loadSuites(run.suitePath)).filter((s) => s.suite.name === run.config.suite);
      const smallest = budgetRungs(loaded.suite)[0];
      if (smallest && smallest !== run.config.scale) {
        const config = resolveConfig(loaded.suite, smallest, run.config.activation, run.config.seed);
        await measure({ ...run, config });
      }
      rate = rates.get(run.config.suite);
    }
    if (rate && flopsPerStep(run) / rate.flopsPerSecond > PROBE_MAX_STEP_SECONDS) {
      extrapolated++;
      const train = (flopsPerStep(run) * run.config.train.steps) / rate.flopsPerSecond;
      return RUN_OVERHEAD_SECONDS + train * (1 + rate.evalShare);
    }
    return await measure(run);
  };
  const lowerBound = (run: PlannedRun): number | null => {
    const rate = rates.get(run.config.suite)?.flopsPerSecond ??
      Math.max(0, ...[...rates.values()].map((r) => r.flopsPerSecond));
    return rate > 0 ? (LOWER_BOUND_SHARE * flopsPerStep(run) * run.config.train.steps) / rate : null;
  };
  const scaled = () => {
    const factors = calibration.describe();
    return factors ? `; scaled by the pilots' measured wall time: ${factors}` : "";
  };
  return {
    estimate,
    lowerBound,
    calibrate: (suite, observed) => calibration.observe(suite, observed),
    basis: () =>
      `training probes on ${env.backend}${
        jobs > 1 ? ` beside ${jobs - 1} competing job(s)` : ""
      } (${probed} measured now, ${cached} reused from the probe cache` +
      (extrapolated ? `, ${extrapolated} runs extrapolated by FLOPs from the largest probed shape` : "") + scaled() +
      ")",
    save: () => prober.save(),
  };
}
