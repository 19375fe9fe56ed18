/**
 * The worker pool and the heap tasks: tasks over a wasm memory split between
 * the calling thread and the pool's workers (see {@linkcode WorkerPool}), so
 * the row and elementwise passes of the fused kernels and the GEMMs use every
 * core the run was given. Without a pool (one thread asked for, or before
 * the workers have started) or without FFI permission a task runs whole on
 * the calling thread; elementwise tasks give the same bits either way.
 *
 * The pool is started and handed over by the kernel install
 * (`../install.ts`, through {@linkcode usePool}); the kernels of every op
 * folder reach it through {@linkcode runHeapTask}.
 *
 * @example
 * ```ts
 * import { runHeapTask, usePool, WorkerPool } from "./mod.ts";
 * const memory = new WebAssembly.Memory({ initial: 16 });
 * usePool(await WorkerPool.start(2));
 * const n = 1024; // g, u, s and out: n floats each, one after the other
 * runHeapTask({ memory, heap: new Float32Array(memory.buffer) }, "swigluForward", [0, n, 2 * n, 3 * n, n], n);
 * ```
 * @module
 */
import type { HeapTarget, WorkerPool } from "./pool.ts";
import { RESULT_SLOTS } from "./_control.ts";
import { HEAP_TASKS, type HeapTaskName } from "./tasks.ts";
import { setHeapMemory } from "../_wasm/staged.ts";

export { type HeapTarget, WorkerPool } from "./pool.ts";
export { HEAP_TASK_NAMES, HEAP_TASKS, type HeapTask, type HeapTaskName } from "./tasks.ts";
export { partRange } from "./task.ts";
export { addBlockSums, forEachBlock, MIN_BLOCK_ROWS, type ReductionBlocks, reductionBlocks } from "./reduce.ts";
export { MAX_TASK_ARGS, RESULT_SLOTS } from "./_control.ts";

/**
 * Below this many elements of work a task stays on the calling thread: waking
 * a worker costs more than half of the work saves.
 */
export const MIN_PARALLEL_WORK = 1 << 15;

/** The pool heap tasks run on: one per process, handed over by the kernel install. */
let active: WorkerPool | null = null;
const serialResults = [new Float64Array(RESULT_SLOTS)] as const;

/**
 * Runs the heap tasks on `pool` from now on (`null`: on the calling thread).
 * The caller owns the pool and closes it.
 *
 * @example
 * ```ts
 * usePool(await WorkerPool.start(2));
 * ```
 */
export function usePool(pool: WorkerPool | null): void {
  active = pool;
}

/**
 * Threads that tasks over `memory` run on now (1 without a pool, or where the pool cannot reach `memory`).
 *
 * @example
 * ```ts
 * declare const memory: WebAssembly.Memory;
 * console.log(heapThreadCount(memory));
 * ```
 */
export function heapThreadCount(memory: WebAssembly.Memory | null): number {
  return memory && active?.serves(memory) ? active.threads : 1;
}

/**
 * Runs `task` over the memory: on the worker pool when `work` (elements) is
 * at least {@linkcode MIN_PARALLEL_WORK}, else on this thread alone. Returns
 * the result slots of each part (index = part), for tasks that reduce.
 *
 * @example
 * ```ts
 * declare const memory: WebAssembly.Memory, heap: Float32Array;
 * declare const g: number, u: number, s: number, out: number, n: number;
 * runHeapTask({ memory, heap }, "swigluForward", [g, u, s, out, n], n);
 * ```
 */
export function runHeapTask(
  target: HeapTarget,
  task: HeapTaskName,
  args: readonly number[],
  work: number,
): readonly Float64Array[] {
  const pool = active;
  setHeapMemory(target.memory);
  if (pool && work >= MIN_PARALLEL_WORK && pool.serves(target.memory)) {
    try {
      pool.run(target, task, args);
      return pool.partResults();
    } catch (error) {
      // A worker that failed or hung has closed the pool. Tasks only write their outputs from their inputs, so the
      // whole task runs again here, and the run goes on on one thread with the same bits.
      if (active === pool) active = null;
      console.warn(`worker pool stopped, kernels go on on one thread: ${error}`);
    }
  }
  HEAP_TASKS[task](target.heap, Float64Array.from(args), 0, 1, serialResults[0], target.memory);
  return serialResults;
}

/** The part of tfjs-backend-wasm's BackendWasm that heap tasks use. */
interface WasmHeapBackend {
  wasm: { asm: { memory: WebAssembly.Memory }; HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

/**
 * The memory of a wasm backend and this thread's float32 view of it (take it
 * after the kernel's last allocation: a growing memory replaces the view).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const target = heapTarget(tf.backend()); // with "wasm" the active backend
 * ```
 */
export function heapTarget(backend: unknown): HeapTarget {
  const { wasm } = backend as WasmHeapBackend;
  return { memory: wasm.asm.memory, heap: wasm.HEAPF32 };
}

/**
 * The float32 element offset of a wasm tensor in its backend's memory.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const x = tf.zeros([4]);
 * const at = heapOffset(tf.backend(), x); // with "wasm" the active backend
 * ```
 */
export function heapOffset(backend: unknown, t: { dataId: object }): number {
  const entry = (backend as WasmHeapBackend).dataIdMap.get(t.dataId);
  if (!entry) throw new Error("tensor is not on this wasm backend");
  return entry.memoryOffset / 4;
}
