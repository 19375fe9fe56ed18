/**
 * Runs of training steps bounded by count and time: the warm-up before a
 * training probe times steps (shared by the probe and its load generator, so
 * that both are past it when the timing starts) and the timed steps after it.
 * @module
 */

/**
 * Warm-up length: V8 compiles a step's JavaScript to optimised code over its
 * first calls, so a rung whose step is many small kernels (the MoE rungs)
 * runs 20-30% slower for its first ~10 steps than after (measured: moe
 * `92.4k` on wasm, 209 ms, then 96 to 78 ms over steps 1-8, then 71-80 ms).
 * One warm-up step made the planner's MoE estimates 1.5× the actual runs.
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
 * Runs `step(first)`, `step(first + 1)`, … until `limits` are met; returns
 * the number of steps run. {@linkcode WARMUP} is the probe's warm-up.
 *
 * @example
 * ```ts
 * const warm = await stepUntil((i) => model.step(data.nextBatch(), model.lrAt(i)), WARMUP);
 * ```
 */
export async function stepUntil(
  step: (index: number) => Promise<unknown>,
  limits: StepLimits,
  first = 0,
): Promise<number> {
  const started = performance.now();
  let steps = 0;
  while (
    steps < limits.maxSteps && (steps < limits.minSteps || performance.now() - started < limits.minSeconds * 1000)
  ) {
    await step(first + steps);
    steps++;
  }
  return steps;
}
