/**
 * Counting the compute dispatches the webgpu backend records: the measure of
 * what a fusion saves there (tfjs's kernel calls are not: a fused kernel may
 * dispatch several programs, a reshape dispatches none).
 * @module
 */

/** The part of tfjs-backend-webgpu's WebGPUBackend every recorded dispatch goes through. */
interface Recorder {
  recordAndSubmit(program: { shaderKey?: string }, ...args: unknown[]): unknown;
}

/**
 * Starts counting the dispatches `backend` (tfjs-backend-webgpu's, 4.22)
 * records; the returned function stops counting and gives the count (stop
 * nested counters innermost first). With `byProgram`, each dispatch is also
 * counted under its program's shader key (the per-program breakdown).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * import type { TrainBatch, Trainer } from "../../model/mod.ts";
 * declare const trainer: Trainer, batch: TrainBatch;
 * const stop = countDispatches(tf.backend());
 * await trainer.step(batch, 1e-3);
 * console.log(stop(), "dispatches");
 * ```
 */
export function countDispatches(backend: unknown, byProgram?: Map<string, number>): () => number {
  const recorder = backend as Recorder;
  if (typeof recorder.recordAndSubmit !== "function") {
    throw new Error("countDispatches needs tfjs's webgpu backend (no recordAndSubmit)");
  }
  const original = recorder.recordAndSubmit;
  let dispatches = 0;
  recorder.recordAndSubmit = function (program, ...args: unknown[]) {
    dispatches++;
    if (byProgram) {
      const key = program.shaderKey ?? "?";
      byProgram.set(key, (byProgram.get(key) ?? 0) + 1);
    }
    return original.call(this, program, ...args);
  };
  return () => {
    recorder.recordAndSubmit = original;
    return dispatches;
  };
}
