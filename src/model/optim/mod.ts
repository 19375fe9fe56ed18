/**
 * Optimisation: AdamW with per-recipe weight-decay masks, the warmup + cosine
 * schedule, and global-norm clipping.
 *
 * @example
 * ```ts
 * import { lrAt } from "./mod.ts";
 * lrAt(0, { peak: 3e-4, min: 3e-5, warmupSteps: 100, horizonSteps: 1000 });
 * ```
 * @module
 */
export { AdamW, type AdamWOptions, type DecayRule, decays, type OptimizerState, PAPER_ADAMW } from "./adamw.ts";
export { lrAt, type LrSchedule } from "./schedule.ts";
export { clipByGlobalNorm } from "./clip.ts";
