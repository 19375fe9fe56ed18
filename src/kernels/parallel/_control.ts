/**
 * The one job format of the worker pool: Int32 slots where the main thread
 * posts a job and each worker reports it done, and the Float64 argument block
 * naming the heap, the task and its arguments, both in one SharedArrayBuffer.
 * @module
 */

/** Int32 slots. */
export const SLOT = {
  /** Job counter; workers wait for it to change. A negative value asks them to exit. */
  seq: 0,
  /** `done + t`: the last job worker `t` finished. */
  done: 8,
  /** `failed + t`: non-zero when worker `t`'s last job threw. */
  failed: 48,
} as const;

/** Most threads (bounded by the slots above). */
export const MAX_THREADS = 32;

/** Bytes of the Int32 slots; the Float64 argument block follows. */
export const SLOT_BYTES = 512;

/** Float64 slots at the start of the argument block. */
export const ARG = {
  /** Address of the heap's first byte, or {@linkcode OWN_MEMORY} for the pool's own shared memory. */
  heapAddress: 0,
  /** The heap's length in bytes. */
  heapBytes: 1,
  /** Index of the task in `HEAP_TASK_NAMES`. */
  task: 2,
  /** How many parts the job is split into (one per thread). */
  parts: 3,
  /** How many task arguments follow. */
  argCount: 4,
  /** The task's own arguments start here. */
  taskArgs: 8,
} as const;

/** The `heapAddress` of a job over the pool's own shared memory, which every worker holds. */
export const OWN_MEMORY = -1;

/** Task arguments a job may carry (float64 each). */
export const MAX_TASK_ARGS = 4096;

/** Float64 slots each worker may write results into (e.g. partial sums), after the task arguments. */
export const RESULT_SLOTS = 16384;

/** Bytes of the whole block. */
export const CONTROL_BYTES = SLOT_BYTES + (ARG.taskArgs + MAX_TASK_ARGS) * 8 + MAX_THREADS * RESULT_SLOTS * 8;

/** The views of one control block. */
export interface ControlViews {
  slots: Int32Array;
  args: Float64Array;
  /** `results[t]`: thread `t`'s result slots (made once: tasks read them on every job). */
  results: Float64Array[];
}

/**
 * Views of a control block.
 *
 * @example
 * ```ts
 * const views = controlViews(new SharedArrayBuffer(CONTROL_BYTES));
 * views.args[ARG.parts] = 2;
 * ```
 */
export function controlViews(buffer: SharedArrayBuffer): ControlViews {
  const argFloats = ARG.taskArgs + MAX_TASK_ARGS;
  const resultsAt = SLOT_BYTES + argFloats * 8;
  return {
    slots: new Int32Array(buffer, 0, SLOT_BYTES / 4),
    args: new Float64Array(buffer, SLOT_BYTES, argFloats),
    results: Array.from(
      { length: MAX_THREADS },
      (_, t) => new Float64Array(buffer, resultsAt + t * RESULT_SLOTS * 8, RESULT_SLOTS),
    ),
  };
}
