/**
 * Registers the fused kernels and their gradients once per process.
 * @module
 */
import { fusedRegistrar } from "../kernels/fused/mod.ts";
import { FUSED_GRADIENTS } from "./_gradients.ts";
import { CPU_KERNELS } from "./_kernels_cpu.ts";
import { WASM_KERNELS } from "./_kernels_wasm.ts";
import { WEBGPU_KERNELS } from "./_kernels_webgpu.ts";

/**
 * Registers every fused PolyCom kernel (cpu, wasm, webgpu) and gradient.
 * Idempotent; the activations module calls it on import.
 *
 * @example
 * ```ts
 * registerFusedKernels();
 * tf.getKernel("PolyNorm", "cpu") !== undefined; // true
 * ```
 */
export const registerFusedKernels: () => void = fusedRegistrar(
  [...CPU_KERNELS, ...WASM_KERNELS, ...WEBGPU_KERNELS],
  FUSED_GRADIENTS,
);
