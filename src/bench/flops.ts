/**
 * Model FLOPs and the achievable peak they are measured against.
 * @module
 */
import { tf } from "../backend/tf.ts";
import { flopsPerToken } from "../model/mod.ts";
import type { ModelConfig } from "../model/mod.ts";
import { nativeBlas } from "../kernels/matmul/mod.ts";
import { WorkerPool } from "../kernels/parallel/pool.ts";
import { HEAP_TASKS } from "../kernels/parallel/tasks.ts";

/**
 * Model FLOPs of one training step (forward and backward): the usual
 * `6·N + 12·L·S·d` per token, times the tokens of a batch. Attention counts
 * the full `S×S` score matrix, as the MFU convention does.
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "../model/mod.ts";
 * const config = PAPER_DENSE_1B("swiglu");
 * const flops = trainFlopsPerStep(config, 128, 16);
 * ```
 */
export function trainFlopsPerStep(config: ModelConfig, seqLen: number, batchSize: number): number {
  return flopsPerToken(config, seqLen) * seqLen * batchSize;
}

/**
 * The best GFLOP/s of a square float32 matmul on the active backend: the
 * "achievable peak" that model FLOPs utilisation divides by. One core's
 * hardware peak is not reachable from tfjs (wasm SIMD is 128 bits wide), so
 * the measured best is the honest denominator; absolute FLOP/s are reported
 * next to it.
 *
 * @example
 * ```ts
 * const gflops = await measureMatmulPeak(512, 3);
 * ```
 */
export async function measureMatmulPeak(size = 1024, reps = 5): Promise<number> {
  const a = tf.randomNormal([size, size]);
  const b = tf.randomNormal([size, size]);
  try {
    let best = Infinity;
    for (let i = 0; i < reps + 1; i++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      const ms = performance.now() - t0;
      c.dispose();
      // The first run compiles (wasm tier-up, WebGPU pipelines) and is not a fair sample.
      if (i > 0) best = Math.min(best, ms);
    }
    return (2 * size ** 3) / (best / 1000) / 1e9;
  } finally {
    tf.dispose([a, b]);
  }
}

/**
 * The machine's fp32 GEMM peak on `threads` threads: the best GFLOP/s of a
 * `size`² `sgemm` on the native BLAS, cut in row blocks over the worker pool as
 * the matmul kernels cut it (each BLAS call runs on its thread alone), or
 * `null` without a BLAS.
 *
 * @example
 * ```ts
 * const peak = await measureNativePeak(2048, 2);
 * console.log(peak === null ? "no native BLAS" : `${peak.toFixed(0)} GFLOP/s`);
 * ```
 */
export async function measureNativePeak(size = 2048, threads = 1, reps = 5): Promise<number | null> {
  if (!nativeBlas()) return null;
  const floats = size * size;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((3 * floats * 4) / 65536) });
  const pool = threads > 1 ? await WorkerPool.start(threads) : null;
  try {
    const heap = new Float32Array(memory.buffer);
    for (let i = 0; i < 2 * floats; i++) heap[i] = ((i * 7919) % 1000) / 1000 - 0.5;
    const args = [0, 0, size, size, size, 0, floats, 2 * floats, 0];
    let best = Infinity;
    for (let i = 0; i < reps + 1; i++) {
      const t0 = performance.now();
      if (pool) pool.run({ memory, heap }, "sgemmSplit", args);
      else HEAP_TASKS.sgemmSplit(heap, Float64Array.from(args), 0, 1, new Float64Array(8));
      const ms = performance.now() - t0;
      // The first call warms the BLAS's buffers and the caches.
      if (i > 0) best = Math.min(best, ms);
    }
    return (2 * size ** 3) / (best / 1000) / 1e9;
  } finally {
    pool?.close();
  }
}
