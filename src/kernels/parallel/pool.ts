/**
 * Heap threads: the main thread and `threads - 1` workers run one task over
 * the wasm backend's memory together, each on its own part.
 *
 * tfjs's wasm memory is not a SharedArrayBuffer, so the workers cannot be
 * handed it as such. They reach it through Deno FFI instead: a worker wraps
 * the memory's address in an ArrayBuffer (`Deno.UnsafePointerView
 * .getArrayBuffer`, no copy) and reads and writes the tensors in place, while
 * the main thread, which posted the job, waits for them before it returns
 * from the kernel: no JavaScript of the main thread runs meanwhile, so the
 * memory neither grows nor moves under the workers. (V8 reserves a wasm32
 * memory's whole address range up front, so it does not move when it grows;
 * the address is still passed with every job and checked by the worker.)
 *
 * Workers are `node:worker_threads` workers started by `../_workers.ts`, as
 * the GEMM pool's are.
 * @module
 */
import type { Worker } from "node:worker_threads";
import { awaitWorkers, startWorkers } from "../_workers.ts";
import {
  ARG,
  CONTROL_BYTES,
  type ControlViews,
  controlViews,
  MAX_HEAP_THREADS,
  MAX_TASK_ARGS,
  SLOT,
} from "./_control.ts";
import { HEAP_TASK_INDEX, HEAP_TASKS, type HeapTaskName } from "./tasks.ts";

/** Polls of the done slots before the main thread sleeps on them: the parts are balanced, so they end together. */
const SPIN_POLLS = 20_000;

/**
 * The threads of one wasm memory.
 *
 * @example
 * ```ts
 * const memory = new WebAssembly.Memory({ initial: 16 });
 * const threads = await HeapThreads.start(memory, 2);
 * const heap = new Float32Array(memory.buffer);
 * threads.run(heap, "swigluForward", [0, 1024, 2048, 3072, 1024]);
 * threads.close();
 * ```
 */
export class HeapThreads {
  readonly threads: number;
  readonly #memory: WebAssembly.Memory;
  readonly #workers: Worker[];
  readonly #control: ControlViews;
  /** The result slots of threads 0 .. threads-1, what {@linkcode partResults} returns. */
  readonly #parts: Float64Array[];
  #seq = 0;
  #closed = false;

  private constructor(memory: WebAssembly.Memory, workers: Worker[], control: ControlViews) {
    this.#memory = memory;
    this.#workers = workers;
    this.#control = control;
    this.threads = workers.length + 1;
    this.#parts = control.results.slice(0, this.threads);
  }

  /**
   * Starts `threads - 1` workers over `memory` (the caller's thread is the
   * first thread) and resolves once each has mapped it. Throws when the
   * runtime gives no FFI (no `--allow-ffi`): the caller then runs tasks on
   * its own thread.
   */
  static async start(memory: WebAssembly.Memory, threads: number): Promise<HeapThreads> {
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_HEAP_THREADS) {
      throw new RangeError(`heap threads must be an integer in [1, ${MAX_HEAP_THREADS}], got ${threads}`);
    }
    // Fails here, not in a worker, when FFI is not permitted.
    heapAddress(memory);
    const control = controlViews(new SharedArrayBuffer(CONTROL_BYTES));
    const init = (index: number) => ({ buffer: control.slots.buffer, index });
    const workers = await startWorkers(new URL("./_worker.ts", import.meta.url), threads, init, "heap worker");
    return new HeapThreads(memory, workers, control);
  }

  /** Whether this pool serves `memory`. */
  serves(memory: WebAssembly.Memory): boolean {
    return memory === this.#memory && !this.#closed;
  }

  /**
   * Runs `task` with `args` on every thread (part 0 on this one) and returns
   * when all parts are done. `heap` is this thread's float32 view of the
   * memory. Each part's result slots are {@linkcode partResults} afterwards.
   */
  run(heap: Float32Array, task: HeapTaskName, args: ArrayLike<number>): void {
    if (this.#closed) throw new Error("heap threads are closed");
    if (args.length > MAX_TASK_ARGS) {
      throw new RangeError(`${task}: ${args.length} task arguments, at most ${MAX_TASK_ARGS}`);
    }
    const { slots, args: block } = this.#control;
    block[ARG.heapAddress] = heapAddress(this.#memory);
    block[ARG.heapBytes] = this.#memory.buffer.byteLength;
    block[ARG.task] = HEAP_TASK_INDEX[task];
    block[ARG.parts] = this.threads;
    block[ARG.argCount] = args.length;
    block.set(args, ARG.taskArgs);
    const seq = ++this.#seq;
    Atomics.store(slots, SLOT.seq, seq);
    Atomics.notify(slots, SLOT.seq);
    const taskArgs = block.subarray(ARG.taskArgs, ARG.taskArgs + args.length);
    try {
      HEAP_TASKS[task](heap, taskArgs, 0, this.threads, this.#parts[0]);
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
      awaitWorkers(at, seq, this.threads, `heap worker (${task})`, SPIN_POLLS);
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
}

/** The address of the memory's first byte, as a number (exact below 2^53). */
function heapAddress(memory: WebAssembly.Memory): number {
  const pointer = Deno.UnsafePointer.of(memory.buffer);
  if (pointer === null) throw new Error("the wasm memory has no address");
  return Number(Deno.UnsafePointer.value(pointer));
}
