/**
 * The warm-up before a training probe times steps, shared by the probe and
 * its load generator so that both are past it when the timing starts.
 * @module
 */

/**
 * Warm-up length: V8 compiles a step's JavaScript to optimised code over its
 * first calls, so a rung whose step is many small kernels (the MoE rungs)
 * runs 20-30% slower for its first ~10 steps than after (measured: moe
 * `92.4k` on wasm, 209 ms, then 96 to 78 ms over steps 1-8, then 71-80 ms).
 * One warm-up step made the planner's MoE estimates 1.5× the actual runs.
 */
export const WARMUP = {
  /** At least this many steps… */
  minSteps: 2,
  /** …and this much time, */
  minSeconds: 0.6,
  /** but never more steps than this (a large rung's first two steps are seconds each). */
  maxSteps: 10,
} as const;

/**
 * Runs `step(i)` for i = 0, 1, … until {@linkcode WARMUP} is met; returns
 * the number of steps run.
 *
 * @example
 * ```ts
 * const steps = await warmUp((i) => model.step(data.nextBatch(), model.lrAt(i)));
 * ```
 */
export async function warmUp(step: (index: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let steps = 0;
  while (
    steps < WARMUP.maxSteps &&
    (steps < WARMUP.minSteps || performance.now() - started < WARMUP.minSeconds * 1000)
  ) {
    await step(steps);
    steps++;
  }
  return steps;
}
