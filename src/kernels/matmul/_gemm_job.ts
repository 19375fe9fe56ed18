/**
 * A `BatchMatMul` plan on the wasm SIMD GEMM as one job of the worker pool:
 * the operands are copied into the pool's own shared memory (the workers
 * cannot import the backend's memory), the task `wasmGemm` runs on every
 * thread, and the result is copied out.
 * @module
 */
import type { WorkerPool } from "../parallel/pool.ts";
import { type BatchMatMulPlan, batchMatMulScratchBytes } from "./_batch_matmul.ts";
import type { WasmGemm } from "./gemm.ts";
import { DEFAULT_GEMM_SHAPE, type GemmShape } from "./_gemm_module.ts";
import { gemmFor, type GemmJobLayout, wasmGemmArgs } from "./tasks.ts";

/** Where the operands of one job go, so the caller can fill them in. */
export interface PoolBuffers {
  /** A view of the whole pool memory (valid until the next job). */
  heap: Float32Array;
  /** Float offsets of A, B and the output in `heap`. */
  a: number;
  b: number;
  out: number;
}

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Where A, B, the output, the pairs and each thread's scratch go in the pool's memory, and the bytes it needs. */
function layoutJob(gemm: WasmGemm, plan: BatchMatMulPlan, aSize: number, bSize: number, threads: number) {
  const outSize = plan.outShape.reduce((p, d) => p * d, 1);
  const a = 0;
  const b = align(a + aSize * 4);
  const out = align(b + bSize * 4);
  const pairs = align(out + outSize * 4);
  const scratchBase = align(pairs + plan.pairs.length * 8);
  const scratchStride = align(batchMatMulScratchBytes(gemm, plan));
  const layout: GemmJobLayout = { a, b, out, pairs, scratchBase, scratchStride };
  return { layout, bytes: scratchBase + scratchStride * threads };
}

/**
 * Runs `plan` on all the pool's threads with the SIMD GEMM of tile `shape`. `fill` writes A (`aSize`
 * floats) and B (`bSize` floats) at the given offsets; `drain` reads the
 * output (`plan.outShape` elements) before the next job may overwrite it.
 *
 * @example
 * ```ts
 * import { WorkerPool } from "../parallel/pool.ts";
 * import { planBatchMatMul } from "./_batch_matmul.ts";
 * const pool = await WorkerPool.start(2);
 * const plan = planBatchMatMul([64, 32], [32, 48], false, false);
 * const fill = (buf: PoolBuffers) => buf.heap.fill(1, buf.a, buf.a + 64 * 32 + 32 * 48 + 64);
 * runGemmJob(pool, plan, 64 * 32, 32 * 48, fill, (buf) => console.log(buf.heap[buf.out])); // 32
 * pool.close();
 * ```
 */
export function runGemmJob(
  pool: WorkerPool,
  plan: BatchMatMulPlan,
  aSize: number,
  bSize: number,
  fill: (buffers: PoolBuffers) => void,
  drain: (buffers: PoolBuffers) => void,
  shape: GemmShape = DEFAULT_GEMM_SHAPE,
): void {
  const gemm = gemmFor(pool.memory, shape);
  const { layout, bytes } = layoutJob(gemm, plan, aSize, bSize, pool.threads);
  pool.ensureBytes(bytes);
  const heap = new Float32Array(pool.memory.buffer);
  const buffers = { heap, a: layout.a / 4, b: layout.b / 4, out: layout.out / 4 };
  fill(buffers);
  const ints = new Int32Array(pool.memory.buffer, layout.pairs, 2 * plan.pairs.length);
  plan.pairs.forEach(([ia, ib], i) => {
    ints[2 * i] = ia;
    ints[2 * i + 1] = ib;
  });
  pool.run({ memory: pool.memory, heap }, "wasmGemm", wasmGemmArgs(gemm.shape, plan, layout));
  drain(buffers);
}
