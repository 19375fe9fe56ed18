/**
 * Fused softmax cross-entropy on `webgpu`, running the WGSL programs of
 * `_webgpu_programs.ts` through the backend's `runWebGPUProgram`.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { isSoftwareAdapter, rowUniforms, type WebGPUBackendLike as WebGPUBackend } from "../fused/mod.ts";
import { FUSED_CROSS_ENTROPY, FUSED_CROSS_ENTROPY_GRAD, kernelInputs, shape2d } from "./kernel.ts";
import { CrossEntropyForwardProgram, CrossEntropyGradProgram } from "./_webgpu_programs.ts";

const crossEntropyWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WebGPUBackend;
  const { logits, labels } = kernelInputs(inputs, "logits", "labels");
  const [rows, v] = shape2d(logits);
  const program = new CrossEntropyForwardProgram(rows, v, isSoftwareAdapter(b));
  return b.runWebGPUProgram(program, [logits, labels], "float32", rowUniforms(rows, v));
};

const crossEntropyGradWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WebGPUBackend;
  const { dy, logits, labels } = kernelInputs(inputs, "dy", "logits", "labels");
  const [rows, v] = shape2d(logits);
  const program = new CrossEntropyGradProgram(rows, v, isSoftwareAdapter(b));
  return b.runWebGPUProgram(program, [dy, logits, labels], "float32", rowUniforms(rows, v));
};

/**
 * The webgpu kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of CROSS_ENTROPY_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const CROSS_ENTROPY_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_CROSS_ENTROPY, backendName: "webgpu", kernelFunc: crossEntropyWebGPU },
  { kernelName: FUSED_CROSS_ENTROPY_GRAD, backendName: "webgpu", kernelFunc: crossEntropyGradWebGPU },
];
