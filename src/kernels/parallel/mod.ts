/**
 * Heap threads: tasks over the wasm backend's memory split between the
 * calling thread and workers (see {@linkcode HeapThreads}), so the row and
 * elementwise passes of the fused kernels use every core the run was given,
 * as the BLAS does for the products. Without threads (one thread asked for,
 * no FFI permission, or before the workers have started) a task runs whole
 * on the calling thread; elementwise tasks give the same bits either way.
 *
 * @example
 * ```ts
 * import { runHeapTask, startHeapThreads } from "./mod.ts";
 * const memory = new WebAssembly.Memory({ initial: 16 });
 * await startHeapThreads(memory, 2);
 * const n = 1024; // g, u, s and out: n floats each, one after the other
 * runHeapTask({ memory, heap: new Float32Array(memory.buffer) }, "swigluForward", [0, n, 2 * n, 3 * n, n], n);
 * ```
 * @module
 */
import { HeapThreads } from "./pool.ts";
import { RESULT_SLOTS } from "./_control.ts";
import { HEAP_TASKS, type HeapTaskName } from "./tasks.ts";
import { setHeapMemory } from "../_wasm/staged.ts";

export { HeapThreads } from "./pool.ts";
export { HEAP_TASK_NAMES, HEAP_TASKS, type HeapTask, type HeapTaskName } from "./tasks.ts";
export { partRange } from "./task.ts";
export { addBlockSums, forEachBlock, MIN_BLOCK_ROWS, type ReductionBlocks, reductionBlocks } from "./reduce.ts";
export { MAX_TASK_ARGS, RESULT_SLOTS } from "./_control.ts";

/**
 * Below this many elements of work a task stays on the calling thread: waking
 * a worker costs more than half of the work saves.
 */
export const MIN_PARALLEL_WORK = 1 << 15;

let active: HeapThreads | null = null;
let wanted: { memory: WebAssembly.Memory; threads: number } | null = null;
const serialResults = [new Float64Array(RESULT_SLOTS)] as const;

/**
 * Starts `threads` heap threads over `memory` (stopping any earlier ones);
 * `threads` 1 or `memory` null stops them. Resolves once they run; when they
 * cannot start (no FFI permission), tasks stay on the calling thread and the
 * reason is printed once.
 *
 * @example
 * ```ts
 * const memory = new WebAssembly.Memory({ initial: 16 });
 * await startHeapThreads(memory, 2);
 * ```
 */
export async function startHeapThreads(memory: WebAssembly.Memory | null, threads: number): Promise<void> {
  if (wanted && memory === wanted.memory && threads === wanted.threads && (active || threads === 1)) return;
  wanted = memory ? { memory, threads } : null;
  active?.close();
  active = null;
  if (!memory || threads <= 1) return;
  try {
    const started = await HeapThreads.start(memory, threads);
    // A later call may have asked for something else while this one started.
    if (wanted?.memory === memory && wanted.threads === threads && !active) active = started;
    else started.close();
  } catch (error) {
    console.warn(`heap threads unavailable, fused kernels stay single-threaded: ${error}`);
  }
}

/**
 * Threads that tasks over `memory` run on now (1 without heap threads).
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

/** Where a task runs: the memory and the calling thread's float32 view of it. */
export interface HeapTarget {
  memory: WebAssembly.Memory;
  heap: Float32Array;
}

/**
 * Runs `task` over the memory: on the heap threads when `work` (elements) is
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
      pool.run(target.heap, task, args);
      return pool.partResults();
    } catch (error) {
      // A worker that failed or hung has closed the pool. Tasks only write their outputs from their inputs, so the
      // whole task runs again here, and the run goes on on one thread with the same bits.
      if (active === pool) active = null;
      console.warn(`heap threads stopped, fused kernels go on on one thread: ${error}`);
    }
  }
  HEAP_TASKS[task](target.heap, Float64Array.from(args), 0, 1, serialResults[0]);
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
