/**
 * Swapping tfjs kernels for the fast ones of this folder, and back.
 *
 * tfjs looks a kernel up in its registry on every call, so a swap takes effect
 * immediately for all code, including gradients (which are written in terms
 * of the same kernels).
 * @module
 */
import { tf } from "../backend/tf.ts";
import { fastBatchMatMul, fastFusedMatMul, MatMulContext } from "./matmul/kernel.ts";
import { loadNativeBlas, type NativeBlas, nativeBlas } from "./matmul/native_blas.ts";
import { webgpuBatchMatMul } from "./matmul/webgpu.ts";
import { heapThreadCount, usePool, WorkerPool } from "./parallel/mod.ts";
import { wasmBackendMemory } from "./wasm_backend.ts";
import { STOCK_REPLACEMENTS } from "./replacements/mod.ts";
import {
  type FastKernelId,
  registerKernels,
  replacedKernels,
  type Replacement,
  restoreStockKernels,
} from "./registry.ts";

/** What the installed matmul kernels run on: the BLAS chosen and the worker pool, set by {@linkcode installFastKernels}. */
const matmul = new MatMulContext();

/** Every stock kernel replaced: the matmuls on `wasm` and `cpu`, then `replacements/`. */
const REPLACEMENTS: readonly Replacement[] = [
  { kernelName: "BatchMatMul", backendName: "wasm", make: (o) => fastBatchMatMul("wasm", o, matmul) },
  { kernelName: "_FusedMatMul", backendName: "wasm", make: (o) => fastFusedMatMul("wasm", o, matmul) },
  { kernelName: "BatchMatMul", backendName: "cpu", make: (o) => fastBatchMatMul("cpu", o, matmul) },
  { kernelName: "_FusedMatMul", backendName: "cpu", make: (o) => fastFusedMatMul("cpu", o, matmul) },
  { kernelName: "BatchMatMul", backendName: "webgpu", make: webgpuBatchMatMul },
  ...STOCK_REPLACEMENTS,
];

export type { FastKernelId } from "./registry.ts";

/** Options of {@linkcode installFastKernels}. */
export interface FastKernelOptions {
  /**
   * Threads for large matmuls, the calling one included; 1 keeps everything
   * on the calling thread. Default: {@linkcode defaultGemmThreads}.
   */
  threads?: number;
  /**
   * Which GEMM the matmuls use: `native` (the BLAS of
   * {@linkcode loadNativeBlas}; an error when none loads), `wasm` (the SIMD
   * GEMM, with its own threads), or `auto` (native when it loads). Default `auto`.
   */
  gemm?: GemmChoice;
}

/** The GEMM choices of {@linkcode FastKernelOptions}. */
export type GemmChoice = "auto" | "native" | "wasm";

/**
 * The default thread count: `POLYCOM_GEMM_THREADS` when set (and readable),
 * else the machine's logical cores, at most 8.
 *
 * @example
 * ```ts
 * console.log(defaultGemmThreads());
 * ```
 */
export function defaultGemmThreads(): number {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("POLYCOM_GEMM_THREADS");
  } catch {
    // No --allow-env: use the core count.
  }
  const parsed = fromEnv === undefined ? NaN : Number(fromEnv);
  if (Number.isInteger(parsed) && parsed >= 1) return Math.min(parsed, 32);
  return Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 8));
}

/** The one worker pool, its thread count, and the start in flight (what {@linkcode fastKernelsReady} awaits). */
const threading = { pool: null as WorkerPool | null, threads: 1, starting: Promise.resolve(), ticket: 0 };

/** Hands the pool to the kernels: the heap tasks always, the wasm GEMM only when no BLAS takes the matmuls. */
function attachPool(pool: WorkerPool | null): void {
  usePool(pool);
  matmul.pool = matmul.blas ? null : pool;
}

/**
 * Runs the kernels on `threads` threads: one pool of `threads - 1` workers
 * when something will use it (the wasm GEMM without a BLAS, or the heap
 * tasks over an initialised wasm backend's memory), none otherwise.
 */
function setThreads(threads: number, memory: WebAssembly.Memory | null): void {
  const wanted = threads > 1 && (matmul.blas === null || memory !== null) ? threads : 1;
  const pool = threading.pool;
  // The same count again, started or still starting: keep it.
  if (wanted === threading.threads && (wanted === 1 || pool === null || !pool.closed)) {
    attachPool(pool);
    return;
  }
  threading.threads = wanted;
  const ticket = ++threading.ticket;
  threading.pool = null;
  attachPool(null);
  pool?.close();
  if (wanted === 1) {
    threading.starting = Promise.resolve();
    return;
  }
  threading.starting = WorkerPool.start(wanted).then(
    (started) => {
      // A later call may have asked for another count while this one started.
      if (threading.ticket !== ticket) return started.close();
      threading.pool = started;
      attachPool(started);
      if (memory && !started.mapsOtherMemory) {
        console.warn("no FFI permission: the fused kernels' passes over the wasm memory stay single-threaded");
      }
    },
    (error) => {
      if (threading.ticket === ticket) threading.threads = 1;
      console.warn(`worker threads unavailable, kernels stay single-threaded: ${error}`);
    },
  );
}

/**
 * Replaces every kernel in `REPLACEMENTS` whose backend is registered: the
 * matmuls on `wasm` and `cpu` by the native BLAS when one loads (see
 * {@linkcode FastKernelOptions.gemm}), otherwise by the SIMD GEMM of
 * `matmul/` (transposed operands cost the same as plain ones, and large products
 * run on `threads` threads once {@linkcode fastKernelsReady} resolves; tfjs's
 * transposed and batched wasm matmuls and the cpu backend's are scalar), and the
 * data-movement, reduction and elementwise kernels of `replacements/`.
 * With `threads` > 1 it starts the one worker pool of `parallel/` when
 * something will use it: the SIMD GEMM's large products, and with an
 * initialised wasm backend the fused kernels' row passes and the BLAS's GEMMs
 * over its memory. Idempotent; returns the kernels that are replaced after
 * the call.
 *
 * @example
 * ```ts
 * import { initBackend, tf } from "../backend/mod.ts";
 * await initBackend("wasm");
 * installFastKernels({ threads: 2 });
 * await fastKernelsReady();
 * tf.matMul(tf.ones([4, 3]), tf.ones([5, 3]), false, true).print();
 * ```
 */
export function installFastKernels(options: FastKernelOptions = {}): FastKernelId[] {
  const threads = options.threads ?? defaultGemmThreads();
  if (!Number.isInteger(threads) || threads < 1 || threads > 32) {
    throw new RangeError(`threads must be an integer in [1, 32], got ${threads}`);
  }
  const gemm = options.gemm ?? "auto";
  const blas = gemm === "wasm" ? null : nativeBlas();
  if (gemm === "native" && !blas) {
    const load = loadNativeBlas();
    throw new Error(`no native BLAS: ${load.ok ? "unknown" : load.reason}`);
  }
  matmul.blas = blas;
  setThreads(threads, wasmBackendMemory());
  registerKernels({ replacements: REPLACEMENTS });
  return installedFastKernels();
}

/**
 * Resolves once the worker pool asked for by the last
 * {@linkcode installFastKernels} have started (at once with one thread).
 * Until then, matmuls run on the calling thread.
 *
 * @example
 * ```ts
 * installFastKernels({ threads: 2 });
 * await fastKernelsReady();
 * console.log(gemmThreads()); // 2
 * ```
 */
export function fastKernelsReady(): Promise<void> {
  return threading.starting;
}

/**
 * The GEMM the matmuls use right now.
 *
 * @example
 * ```ts
 * console.log(activeGemm()); // "native" or "wasm"
 * ```
 */
export function activeGemm(): "native" | "wasm" {
  return matmul.blas ? "native" : "wasm";
}

/**
 * The native BLAS the installed matmul kernels use, or null (the wasm GEMM).
 *
 * @example
 * ```ts
 * console.log(activeNativeBlas()?.info().coreType ?? "wasm GEMM");
 * ```
 */
export function activeNativeBlas(): NativeBlas | null {
  return matmul.blas;
}

/**
 * Threads large matmuls use right now.
 *
 * @example
 * ```ts
 * console.log(gemmThreads());
 * ```
 */
export function gemmThreads(): number {
  // With the BLAS, matmuls on wasm are spread over the worker pool; on cpu each is one call on this thread.
  if (matmul.blas) return tf.getBackend() === "wasm" ? heapThreadCount(wasmBackendMemory()) : 1;
  return matmul.threads;
}

/**
 * Puts tfjs's original kernels back (for comparisons and tests). Idempotent; the worker pool stays
 * (`installFastKernels({ threads: 1 })` stops them).
 *
 * @example
 * ```ts
 * uninstallFastKernels();
 * console.log(installedFastKernels()); // []
 * ```
 */
export function uninstallFastKernels(): void {
  restoreStockKernels();
}

/**
 * The kernels replaced right now.
 *
 * @example
 * ```ts
 * console.log(installedFastKernels().map((k) => `${k.kernelName}/${k.backendName}`));
 * ```
 */
export function installedFastKernels(): FastKernelId[] {
  return replacedKernels();
}
