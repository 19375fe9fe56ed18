/**
 * Swapping tfjs kernels for the fast ones of this folder, and back.
 *
 * tfjs looks a kernel up in its registry on every call, so a swap takes effect
 * immediately for all code, including gradients (which are written in terms
 * of the same kernels).
 * @module
 */
import { tf } from "../backend/tf.ts";
import {
  currentGemmPool,
  currentNativeBlas,
  fastBatchMatMul,
  fastFusedMatMul,
  useGemmPool,
  useNativeBlas,
} from "./matmul/kernel.ts";
import { loadNativeBlas, nativeBlas } from "./matmul/native_blas.ts";
import { webgpuBatchMatMul } from "./matmul/webgpu.ts";
import { heapThreadCount, startHeapThreads } from "./parallel/mod.ts";
import { wasmBackendMemory } from "./wasm_backend.ts";
import { GemmPool } from "./matmul/gemm_pool.ts";
import { STOCK_REPLACEMENTS } from "./replacements/mod.ts";
import {
  type FastKernelId,
  registerKernels,
  replacedKernels,
  type Replacement,
  restoreStockKernels,
} from "./registry.ts";

/** Every stock kernel replaced: the matmuls on `wasm` and `cpu`, then `replacements/`. */
const REPLACEMENTS: readonly Replacement[] = [
  { kernelName: "BatchMatMul", backendName: "wasm", make: (o) => fastBatchMatMul("wasm", o) },
  { kernelName: "_FusedMatMul", backendName: "wasm", make: (o) => fastFusedMatMul("wasm", o) },
  { kernelName: "BatchMatMul", backendName: "cpu", make: (o) => fastBatchMatMul("cpu", o) },
  { kernelName: "_FusedMatMul", backendName: "cpu", make: (o) => fastFusedMatMul("cpu", o) },
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

let wantedThreads = 1;
let starting: Promise<void> = Promise.resolve();

function setThreads(threads: number): void {
  const blas = currentNativeBlas();
  if (blas) {
    // The heap threads share the BLAS's calls out; the wasm GEMM's workers would only hold memory.
    wantedThreads = threads;
    const previous = currentGemmPool();
    useGemmPool(null);
    previous?.close();
    starting = Promise.resolve();
    return;
  }
  if (threads === wantedThreads && (threads === 1 || currentGemmPool() !== null)) return;
  wantedThreads = threads;
  const previous = currentGemmPool();
  useGemmPool(null);
  previous?.close();
  if (threads === 1) {
    starting = Promise.resolve();
    return;
  }
  starting = GemmPool.start(threads).then(
    (pool) => {
      // A later call may have asked for another count while this one started.
      if (wantedThreads === threads && currentGemmPool() === null) useGemmPool(pool);
      else pool.close();
    },
    (error) => {
      wantedThreads = 1;
      console.warn(`GEMM threads unavailable, matmuls stay single-threaded: ${error}`);
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
 * With `threads` > 1 and an initialised wasm backend it also starts the heap
 * threads of `parallel/` over the wasm memory (the fused kernels' row passes
 * and, with the BLAS, the GEMMs split over them). Idempotent; returns the
 * kernels that are replaced after the call.
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
  if (blas !== currentNativeBlas()) {
    useNativeBlas(blas);
    // Re-decide the threads: from the BLAS on the heap threads to a wasm GEMM pool, or back.
    wantedThreads = 0;
  }
  setThreads(threads);
  const gemmStarted = starting;
  const memory = wasmBackendMemory();
  starting = Promise.all([gemmStarted, startHeapThreads(memory, memory ? threads : 1)]).then(() => {});
  registerKernels({ replacements: REPLACEMENTS });
  return installedFastKernels();
}

/**
 * Resolves once the GEMM threads asked for by the last
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
  return starting;
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
  return currentNativeBlas() ? "native" : "wasm";
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
  // With the BLAS, matmuls on wasm are spread over the heap threads; on cpu each is one call on this thread.
  if (currentNativeBlas()) return tf.getBackend() === "wasm" ? heapThreadCount(wasmBackendMemory()) : 1;
  return currentGemmPool()?.threads ?? 1;
}

/**
 * Puts tfjs's original kernels back (for comparisons and tests). Idempotent; the GEMM threads stay
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
