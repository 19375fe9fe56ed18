/**
 * The matmul kernels of `wasm` and `cpu` (`BatchMatMul`, `_FusedMatMul`):
 * a native CBLAS through Deno FFI when one loads, else the WebAssembly SIMD
 * GEMM, threaded by the worker pool (`../parallel/`) either way: the BLAS's
 * calls in place, the wasm GEMM as the pool task `wasmGemm` over the pool's memory.
 * `installFastKernels` (`../install.ts`) swaps them into tfjs's registry.
 *
 * @example
 * ```ts
 * import { nativeBlas, planBatchMatMul } from "./mod.ts";
 * console.log(nativeBlas()?.info().coreType ?? "wasm GEMM");
 * console.log(planBatchMatMul([2, 64, 32], [32, 48], false, false).outShape); // [2, 64, 48]
 * ```
 * @module
 */
export {
  type BlasInfo,
  type BlasLoad,
  chooseCoreType,
  DEFAULT_BLAS_PATHS,
  loadNativeBlas,
  NativeBlas,
  nativeBlas,
} from "./native_blas.ts";
export { type StridedMatrix, supportsRelaxedSimd, WasmGemm } from "./gemm.ts";
export { type PoolBuffers, runGemmJob } from "./_gemm_job.ts";
export { MatMulContext, POOL_MIN_FLOPS } from "./kernel.ts";
export { gemmBlocks, MAX_GEMM_BLOCKS, MIN_GEMM_BLOCK } from "./tasks.ts";
export { DEFAULT_GEMM_SHAPE, type GemmShape } from "./_gemm_module.ts";
export { type BatchMatMulPlan, planBatchMatMul } from "./_batch_matmul.ts";
// The WGSL programs, for tests that size their grids without a GPU.
export {
  loadTile,
  MATMUL_TILE,
  MATMUL_TILE_K,
  type MatMulShape,
  MULTIPLY_TILES,
  storeBlock,
  THREAD_IDS,
  TiledMatMulProgram,
  TILES,
} from "./_webgpu_programs.ts";
export { tiledMatMulShape, webgpuBatchMatMul } from "./webgpu.ts";
