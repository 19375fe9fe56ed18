/**
 * Learning-rate schedule: linear warmup, then cosine decay to a floor.
 * @module
 */

/** A warmup + cosine schedule in optimizer steps. */
export interface LrSchedule {
  /** Peak learning rate, reached at the end of warmup. */
  peak: number;
  /** Floor of the cosine (dense: 0.1 × peak; OLMoE: 0.1 × peak at t_max). */
  min: number;
  /** Steps of linear warmup. */
  warmupSteps: number;
  /**
   * Step at which the cosine reaches `min`. It may exceed the run's length:
   * OLMoE decays over 5T tokens while training 200B, so its lr stays near the peak.
   */
  horizonSteps: number;
}

/**
 * The learning rate of the 0-based step `step` (the update about to be
 * applied): `peak · (step + 1) / warmupSteps` during warmup (so the first
 * update is not wasted at lr 0), then
 * `min + (peak − min) · (1 + cos(π · p)) / 2` with
 * `p = (step − warmupSteps) / (horizonSteps − warmupSteps)` clamped to [0, 1].
 *
 * @example
 * ```ts
 * lrAt(0, { peak: 3e-4, min: 3e-5, warmupSteps: 10, horizonSteps: 100 }); // 3e-5
 * lrAt(10, { peak: 3e-4, min: 3e-5, warmupSteps: 10, horizonSteps: 100 }); // 3e-4
 * lrAt(100, { peak: 3e-4, min: 3e-5, warmupSteps: 10, horizonSteps: 100 }); // 3e-5
 * ```
 */
export function lrAt(step: number, schedule: LrSchedule): number {
  const { peak, min, warmupSteps, horizonSteps } = schedule;
  if (!(step >= 0) || !Number.isInteger(step)) throw new RangeError(`step must be a non-negative integer, got ${step}`);
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const span = horizonSteps - warmupSteps;
  const progress = span > 0 ? Math.min(1, (step - warmupSteps) / span) : 1;
  return min + ((peak - min) * (1 + Math.cos(Math.PI * progress))) / 2;
}
