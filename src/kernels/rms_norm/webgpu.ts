/**
 * Fused RMSNorm on `webgpu`, running the WGSL programs of
 * `_webgpu_programs.ts` through the backend's `runWebGPUProgram`.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { isSoftwareAdapter, rowUniforms, type Uniform, type WebGPUBackendLike } from "../fused/mod.ts";
import { FUSED_RMS_NORM, FUSED_RMS_NORM_GRAD, kernelInputs, type RmsNormAttrs, shape2d } from "./kernel.ts";
import {
  RmsNormDwPartsProgram,
  RmsNormDxProgram,
  RmsNormForwardProgram,
  RmsNormStatsProgram,
} from "./_webgpu_programs.ts";

/** The part of tfjs-backend-webgpu's WebGPUBackend these kernels use. */
interface WebGPUBackend extends WebGPUBackendLike {
  disposeData(dataId: tf.DataId): boolean;
}

const rmsNormWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WebGPUBackend;
  const { x, w } = kernelInputs(inputs, "x", "w");
  const [rows, n] = shape2d(x);
  const program = new RmsNormForwardProgram(rows, n, isSoftwareAdapter(b));
  const eps: Uniform = { type: "float32", data: [(attrs as RmsNormAttrs).eps] };
  return b.runWebGPUProgram(program, [x, w], "float32", [...rowUniforms(rows, n), eps]);
};

const rmsNormGradWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WebGPUBackend;
  const { dy, x, w } = kernelInputs(inputs, "dy", "x", "w");
  const [rows, n] = shape2d(x);
  const [nc, count] = rowUniforms(rows, n);
  const eps: Uniform = { type: "float32", data: [(attrs as RmsNormAttrs).eps] };
  const statsProgram = new RmsNormStatsProgram(rows, n, isSoftwareAdapter(b));
  const stats = b.runWebGPUProgram(statsProgram, [dy, x, w], "float32", [nc, count, eps]);
  const dx = b.runWebGPUProgram(new RmsNormDxProgram(rows, n), [dy, x, w, stats], "float32", [nc]);
  const parts = b.runWebGPUProgram(new RmsNormDwPartsProgram(rows, n), [dy, x, stats], "float32", [nc, count]);
  b.disposeData(stats.dataId);
  return [dx, parts];
};

/**
 * The webgpu kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of RMS_NORM_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const RMS_NORM_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_RMS_NORM, backendName: "webgpu", kernelFunc: rmsNormWebGPU },
  { kernelName: FUSED_RMS_NORM_GRAD, backendName: "webgpu", kernelFunc: rmsNormGradWebGPU },
];
