/**
 * The worker pool: the main thread and `threads - 1` workers run one heap
 * task together, each on its own part. Every threaded kernel goes through it
 * with the one job format of `./_control.ts`: the fused kernels' row and
 * elementwise passes, the native BLAS's GEMMs and the wasm SIMD GEMM (the
 * task `wasmGemm` of `../matmul/tasks.ts`).
 *
 * A job runs over one of two heaps:
 *
 * - the wasm backend's memory, where the tensors are. It is not a
 *   SharedArrayBuffer, so the workers reach it through Deno FFI: a worker
 *   wraps the memory's address in an ArrayBuffer (`Deno.UnsafePointerView
 *   .getArrayBuffer`, no copy) and reads and writes the tensors in place,
 *   while the main thread, which posted the job, waits for them before it
 *   returns from the kernel: no JavaScript of the main thread runs meanwhile,
 *   so the memory neither grows nor moves under the workers. (V8 reserves a
 *   wasm32 memory's whole address range up front, so it does not move when
 *   it grows; the address is still passed with every job and checked by the
 *   worker.) Without FFI permission these jobs run on the calling thread.
 * - the pool's own shared `WebAssembly.Memory`, which every worker holds
 *   from its start, so tasks that run generated wasm (the SIMD GEMM) import
 *   it; their operands are copied in and out, O(size) against O(m·k·n) work.
 *
 * tfjs's own threaded wasm build cannot start in Deno (its workers are
 * classic scripts given by path: ERR_WORKER_PATH), so the workers are
 * `node:worker_threads` workers started by `../_workers.ts`.
 * @module
 */
import type { Worker } from "node:worker_threads";
import { awaitWorkers, startWorkers } from "../_workers.ts";
import {
  ARG,
  CONTROL_BYTES,
  type ControlViews,
  controlViews,
  MAX_TASK_ARGS,
  MAX_THREADS,
  OWN_MEMORY,
  SLOT,
} from "./_control.ts";
import { HEAP_TASK_INDEX, HEAP_TASKS, type HeapTaskName } from "./tasks.ts";

/** Polls of the done slots before the main thread sleeps on them: the parts are balanced, so they end together. */
const SPIN_POLLS = 20_000;

const PAGE = 65536;
/** 1 GiB: the most the pool's own memory may grow to. */
const MAX_PAGES = 16384;

/** Where a task runs: a memory and the calling thread's float32 view of it. */
export interface HeapTarget {
  memory: WebAssembly.Memory;
  heap: Float32Array;
}

/**
 * The pool's threads.
 *
 * @example
 * ```ts
 * const memory = new WebAssembly.Memory({ initial: 16 });
 * const pool = await WorkerPool.start(2);
 * pool.run({ memory, heap: new Float32Array(memory.buffer) }, "swigluForward", [0, 1024, 2048, 3072, 1024]);
 * pool.close();
 * ```
 */
export class WorkerPool {
  readonly threads: number;
  /** The pool's own shared memory, held by every worker. */
  readonly memory: WebAssembly.Memory;
  /** Whether this runtime gives the addresses of other memories (FFI), so jobs may run over them. */
  readonly mapsOtherMemory: boolean;
  readonly #workers: Worker[];
  readonly #control: ControlViews;
  /** The result slots of threads 0 .. threads-1, what {@linkcode partResults} returns. */
  readonly #parts: Float64Array[];
  #seq = 0;
  #closed = false;

  private constructor(memory: WebAssembly.Memory, workers: Worker[], control: ControlViews) {
    this.memory = memory;
    this.#workers = workers;
    this.#control = control;
    this.threads = workers.length + 1;
    this.#parts = control.results.slice(0, this.threads);
    this.mapsOtherMemory = canMap(memory);
  }

  /**
   * Starts `threads - 1` workers (the caller's thread is the first thread)
   * and resolves once each has started.
   */
  static async start(threads: number): Promise<WorkerPool> {
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new RangeError(`pool threads must be an integer in [1, ${MAX_THREADS}], got ${threads}`);
    }
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const control = controlViews(new SharedArrayBuffer(CONTROL_BYTES));
    const init = (index: number) => ({ buffer: control.slots.buffer, memory, index });
    const workers = await startWorkers(new URL("./_worker.ts", import.meta.url), threads, init, "pool worker");
    return new WorkerPool(memory, workers, control);
  }

  /** Whether jobs over `memory` can run on this pool's threads. */
  serves(memory: WebAssembly.Memory): boolean {
    return !this.#closed && (memory === this.memory || this.mapsOtherMemory);
  }

  /** Grows the pool's own memory to at least `bytes`; views of it taken before are stale afterwards. */
  ensureBytes(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) throw new RangeError(`a pool job needs ${bytes} bytes of shared memory`);
    this.memory.grow(pages);
  }

  /**
   * Runs `task` with `args` over `target` on every thread (part 0 on this
   * one) and returns when all parts are done. Each part's result slots are
   * {@linkcode partResults} afterwards.
   */
  run(target: HeapTarget, task: HeapTaskName, args: ArrayLike<number>): void {
    if (this.#closed) throw new Error("the worker pool is closed");
    if (args.length > MAX_TASK_ARGS) {
      throw new RangeError(`${task}: ${args.length} task arguments, at most ${MAX_TASK_ARGS}`);
    }
    const { slots, args: block } = this.#control;
    const own = target.memory === this.memory;
    block[ARG.heapAddress] = own ? OWN_MEMORY : heapAddress(target.memory);
    block[ARG.heapBytes] = target.memory.buffer.byteLength;
    block[ARG.task] = HEAP_TASK_INDEX[task];
    block[ARG.parts] = this.threads;
    block[ARG.argCount] = args.length;
    block.set(args, ARG.taskArgs);
    const seq = ++this.#seq;
    Atomics.store(slots, SLOT.seq, seq);
    Atomics.notify(slots, SLOT.seq);
    const taskArgs = block.subarray(ARG.taskArgs, ARG.taskArgs + args.length);
    try {
      HEAP_TASKS[task](target.heap, taskArgs, 0, this.threads, this.#parts[0], target.memory);
    } finally {
      // Even when this thread's part threw: the next job must not start while a worker is on this one.
      this.#wait(seq, task);
    }
  }

  /** Each thread's result slots, by part (valid until the next job). */
  partResults(): readonly Float64Array[] {
    return this.#parts;
  }

  #wait(seq: number, task: string): void {
    try {
      const at = { slots: this.#control.slots, done: SLOT.done, failed: SLOT.failed };
      awaitWorkers(at, seq, this.threads, `pool worker (${task})`, SPIN_POLLS);
    } catch (error) {
      // A worker that failed or hung leaves the pool unusable: later tasks run on the calling thread.
      this.close();
      throw error;
    }
  }

  /** Stops the workers. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    Atomics.store(this.#control.slots, SLOT.seq, -1);
    Atomics.notify(this.#control.slots, SLOT.seq);
    for (const w of this.#workers) w.terminate();
  }

  /** Whether {@linkcode close} has run (or a worker failed). */
  get closed(): boolean {
    return this.#closed;
  }
}

/** The address of the memory's first byte, as a number (exact below 2^53). */
function heapAddress(memory: WebAssembly.Memory): number {
  const pointer = Deno.UnsafePointer.of(memory.buffer);
  if (pointer === null) throw new Error("the wasm memory has no address");
  return Number(Deno.UnsafePointer.value(pointer));
}

function canMap(memory: WebAssembly.Memory): boolean {
  try {
    heapAddress(memory);
    return true;
  } catch {
    return false;
  }
}
