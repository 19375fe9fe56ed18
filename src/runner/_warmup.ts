/**
 * Runs of training steps bounded by count and time, for the training probe:
 * its warm-up (shared with its load generator, so that both are past it when
 * the timing starts), its timed steps, and the load generator's steps.
 * @module
 */
import type { TrainBatch } from "../model/mod.ts";
import type { RunModel } from "./_model.ts";

/**
 * Warm-up length: V8 compiles a step's JavaScript to optimised code over its
 * first calls, so a rung whose step is many small kernels (the MoE rungs)
 * runs markedly slower for its first several steps than after, and a probe
 * timed after a single warm-up step overestimates such runs.
 */
export const WARMUP: Readonly<StepLimits> = {
  /** At least this many steps… */
  minSteps: 2,
  /** …and this much time, */
  minSeconds: 0.6,
  /** but never more steps than this (a large rung's first two steps are seconds each). */
  maxSteps: 10,
};

/** When a run of steps stops: at least `minSteps` and `minSeconds`, at most `maxSteps`. */
export interface StepLimits {
  minSteps: number;
  minSeconds: number;
  maxSteps: number;
}

/**
 * Trains `model` on `nextBatch()` at its schedule's learning rates until
 * `limits` are met, then waits for every step's device work; returns the
 * number of steps run. The time limit is checked as steps are queued, as the
 * runner queues them: on a device that runs them later (WebGPU) more steps
 * may be queued than the time alone would allow, never more than `maxSteps`.
 *
 * @example
 * ```ts
 * import type { RunData } from "./_data.ts";
 * import type { RunModel } from "./_model.ts";
 * declare const model: RunModel;
 * declare const data: RunData;
 * const warm = await stepUntil(model, () => data.nextBatch(), WARMUP);
 * ```
 */
export async function stepUntil(model: RunModel, nextBatch: () => TrainBatch, limits: StepLimits): Promise<number> {
  const { trainer } = model;
  const started = performance.now();
  let steps = 0;
  while (
    steps < limits.maxSteps && (steps < limits.minSteps || performance.now() - started < limits.minSeconds * 1000)
  ) {
    await trainer.queue(nextBatch(), model.lrAt(trainer.steps));
    steps++;
  }
  await trainer.drain();
  return steps;
}
