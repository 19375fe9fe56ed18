/**
 * Registers the model's fused kernels and their gradients once per process.
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { FUSED_GRADIENTS } from "./_gradients.ts";
import { CPU_KERNELS } from "./_kernels_cpu.ts";
import { WASM_KERNELS } from "./_kernels_wasm.ts";
import { WEBGPU_KERNELS } from "./_kernels_webgpu.ts";

let registered = false;

/**
 * Registers every fused model kernel (cpu, wasm, webgpu) and gradient.
 * Idempotent; the fused module calls it on import.
 *
 * @example
 * ```ts
 * registerFusedModelKernels();
 * tf.getKernel("FusedRMSNorm", "cpu") !== undefined; // true
 * ```
 */
export function registerFusedModelKernels(): void {
  if (registered) return;
  for (const config of [...CPU_KERNELS, ...WASM_KERNELS, ...WEBGPU_KERNELS]) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
  for (const config of FUSED_GRADIENTS) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
  registered = true;
}
