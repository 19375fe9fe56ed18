/**
 * Multithreaded GEMM: the main thread and `threads - 1` workers share one
 * WebAssembly memory and split each matmul between them.
 *
 * tfjs's own threaded wasm build cannot start in Deno (its workers are
 * classic scripts given by path: ERR_WORKER_PATH), so the threads here are
 * `node:worker_threads` workers running the same generated kernels; they are
 * `unref`'d, so they never keep a process alive. Operands are copied into the
 * shared memory and the result copied out, O(size) against O(m·k·n) work.
 * @module
 */
import type { Worker } from "node:worker_threads";
import { awaitWorkers, startWorkers } from "../_workers.ts";
import { type BatchMatMulPlan, batchMatMulScratchBytes, runBatchMatMulPart } from "./_batch_matmul.ts";
import { DEFAULT_GEMM_SHAPE, type GemmShape } from "./_gemm_module.ts";
import { CONTROL_BYTES, MAX_THREADS, SLOT, writeJob } from "./_gemm_job.ts";
import { WasmGemm } from "./gemm.ts";

const PAGE = 65536;
/** 1 GiB: the most the shared memory may grow to. */
const MAX_PAGES = 16384;

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Where the operands of one job go, so the caller can fill them in. */
export interface PoolBuffers {
  /** A view of the whole shared memory (valid until the next job). */
  heap: Float32Array;
  /** Float offsets of A, B and the output in `heap`. */
  a: number;
  b: number;
  out: number;
}

/**
 * A pool of GEMM threads over one shared memory.
 *
 * @example
 * ```ts
 * import { planBatchMatMul } from "./_batch_matmul.ts";
 * const pool = await GemmPool.start(2);
 * const plan = planBatchMatMul([64, 32], [32, 48], false, false);
 * pool.run(plan, 64 * 32, 32 * 48, (buf) => buf.heap.fill(1, buf.a, buf.a + 64 * 32 + 32 * 48 + 64), (buf) => {
 *   console.log(buf.heap[buf.out]); // 32
 * });
 * pool.close();
 * ```
 */
export class GemmPool {
  readonly memory: WebAssembly.Memory;
  readonly threads: number;
  readonly #gemm: WasmGemm;
  readonly #workers: Worker[];
  readonly #ctl: Int32Array;
  #seq = 0;
  #closed = false;

  private constructor(memory: WebAssembly.Memory, gemm: WasmGemm, workers: Worker[]) {
    this.memory = memory;
    this.#gemm = gemm;
    this.#workers = workers;
    this.threads = workers.length + 1;
    this.#ctl = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
  }

  /**
   * Starts `threads - 1` workers (the caller's thread is the first thread)
   * and resolves once they have compiled their kernels.
   */
  static async start(threads: number, shape: GemmShape = DEFAULT_GEMM_SHAPE): Promise<GemmPool> {
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new RangeError(`GEMM threads must be an integer in [1, ${MAX_THREADS}], got ${threads}`);
    }
    const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    const gemm = new WasmGemm(memory, shape);
    const init = (index: number) => ({ memory, shape: gemm.shape, index });
    const workers = await startWorkers(new URL("./_gemm_worker.ts", import.meta.url), threads, init, "GEMM worker");
    return new GemmPool(memory, gemm, workers);
  }

  #ensureBytes(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) throw new RangeError(`matmul needs ${bytes} bytes of shared memory`);
    this.memory.grow(pages);
  }

  /**
   * Runs one `BatchMatMul` plan on all threads. `fill` writes A (`aSize`
   * floats) and B (`bSize` floats) at the given offsets; `drain` reads the
   * output (`plan.outShape` elements) before the next job may overwrite it.
   */
  run(
    plan: BatchMatMulPlan,
    aSize: number,
    bSize: number,
    fill: (buffers: PoolBuffers) => void,
    drain: (buffers: PoolBuffers) => void,
  ): void {
    if (this.#closed) throw new Error("GEMM pool is closed");
    const outSize = plan.outShape.reduce((p, d) => p * d, 1);
    const a = CONTROL_BYTES;
    const b = align(a + aSize * 4);
    const out = align(b + bSize * 4);
    const pairs = align(out + outSize * 4);
    const scratchBase = align(pairs + plan.pairs.length * 8);
    const scratchStride = align(batchMatMulScratchBytes(this.#gemm, plan));
    this.#ensureBytes(scratchBase + scratchStride * this.threads);
    const buffers = { heap: new Float32Array(this.memory.buffer), a: a / 4, b: b / 4, out: out / 4 };
    fill(buffers);
    const ctl = this.#ctl;
    writeJob(
      ctl,
      new Int32Array(this.memory.buffer),
      plan,
      { a, b, out, pairs, scratchBase, scratchStride },
      this.threads,
    );
    const seq = ++this.#seq;
    Atomics.store(ctl, SLOT.seq, seq);
    Atomics.notify(ctl, SLOT.seq);
    runBatchMatMulPart(this.#gemm, plan, a, b, out, scratchBase, 0, this.threads);
    awaitWorkers({ slots: ctl, done: SLOT.done, failed: SLOT.failed }, seq, this.threads, "GEMM worker");
    drain(buffers);
  }

  /** Stops the workers. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    Atomics.store(this.#ctl, SLOT.seq, -1);
    Atomics.notify(this.#ctl, SLOT.seq);
    for (const w of this.#workers) w.terminate();
  }
}
