/**
 * Fast kernels for training on CPU, swapped into tfjs's kernel registry on
 * the `wasm` and `cpu` backends (`initBackend` installs them): a native BLAS
 * through Deno FFI when one loads, else a WebAssembly SIMD GEMM, optionally
 * multithreaded, for `BatchMatMul` / `_FusedMatMul` on both; data-movement
 * kernels, `Sum` and `Exp` in WebAssembly on `wasm`; flat elementwise,
 * `SplitV`, `Transpose` and `Softmax` loops on `cpu`. The list is
 * `REPLACEMENTS` in install.ts; {@linkcode installedFastKernels} says which
 * are in place. On `wasm` with more than one thread, the fused kernels' row
 * passes and the native GEMMs split over the one worker pool (`parallel/`),
 * which reaches the backend's memory in place.
 *
 * @example
 * ```ts
 * import { initBackend } from "../backend/mod.ts";
 * import { fastKernelsReady, installFastKernels } from "./mod.ts";
 * await initBackend("wasm"); // installs them with the default thread count
 * installFastKernels({ threads: 1 }); // or choose
 * await fastKernelsReady();
 * ```
 * @module
 */
export {
  activeGemm,
  defaultGemmThreads,
  type FastKernelId,
  type FastKernelOptions,
  fastKernelsReady,
  type GemmChoice,
  gemmThreads,
  installedFastKernels,
  installFastKernels,
  uninstallFastKernels,
} from "./install.ts";
export { heapThreadCount, WorkerPool } from "./parallel/mod.ts";
export { wasmBackendMemory } from "./wasm_backend.ts";
export {
  type BatchMatMulPlan,
  type BlasInfo,
  type BlasLoad,
  chooseCoreType,
  DEFAULT_BLAS_PATHS,
  DEFAULT_GEMM_SHAPE,
  type GemmShape,
  loadNativeBlas,
  NativeBlas,
  nativeBlas,
  planBatchMatMul,
  POOL_MIN_FLOPS,
  type PoolBuffers,
  runGemmJob,
  type StridedMatrix,
  supportsRelaxedSimd,
  WasmGemm,
} from "./matmul/mod.ts";
