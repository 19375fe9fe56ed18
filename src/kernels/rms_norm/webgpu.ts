/**
 * Fused RMSNorm on `webgpu`, running the WGSL programs of
 * `_webgpu_programs.ts` through the backend's `runWebGPUProgram`.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import {
  ColumnSumProgram,
  columnSumUniforms,
  isSoftwareAdapter,
  rowUniforms,
  runWithOutputs,
  type Uniform,
  type WebGPUKernelBackend,
} from "../fused/mod.ts";
import {
  FUSED_RESIDUAL_RMS_NORM,
  FUSED_RESIDUAL_RMS_NORM_GRAD,
  FUSED_RMS_NORM,
  FUSED_RMS_NORM_GRAD,
  kernelInputs,
  type RmsNormAttrs,
  shape2d,
} from "./kernel.ts";
import {
  rmsNormDwTerm,
  RmsNormDxProgram,
  RmsNormForwardProgram,
  RmsNormResidualDxProgram,
  RmsNormStatsProgram,
} from "./_webgpu_programs.ts";

type WebGPUBackend = WebGPUKernelBackend;

/** dw = Σ over rows of dy·x·r, one program ([1, n]). */
function weightGradient(
  b: WebGPUBackend,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  stats: tf.TensorInfo,
  statsStride: 1 | 2,
): tf.TensorInfo {
  const [rows, n] = shape2d(x);
  const program = new ColumnSumProgram(n, isSoftwareAdapter(b), rmsNormDwTerm(statsStride));
  return b.runWebGPUProgram(program, [dy, x, stats], "float32", columnSumUniforms(rows, n, n));
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
  const dw = weightGradient(b, dy, x, stats, 2);
  b.disposeData(stats.dataId);
  return [dx, dw];
};

const residualRmsNormWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WebGPUBackend;
  const { h, a, w } = kernelInputs(inputs, "h", "a", "w");
  const [rows, n] = shape2d(h);
  const program = new RmsNormForwardProgram(rows, n, isSoftwareAdapter(b), true);
  const eps: Uniform = { type: "float32", data: [(attrs as RmsNormAttrs).eps] };
  const [y, s, r] = runWithOutputs(b, program, [h, a, w], [[rows, n], [rows, n], [rows]], [
    ...rowUniforms(rows, n),
    eps,
  ]);
  return [s, y, r];
};

const residualRmsNormGradWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WebGPUBackend;
  const { dy, s, w, r } = kernelInputs(inputs, "dy", "s", "w", "r");
  const dsIn = (inputs as Record<string, tf.TensorInfo | undefined>).dsIn;
  const [rows, n] = shape2d(s);
  const program = new RmsNormResidualDxProgram(rows, n, dsIn !== undefined, isSoftwareAdapter(b));
  const ds = b.runWebGPUProgram(program, dsIn ? [dy, dsIn, s, w, r] : [dy, s, w, r], "float32", rowUniforms(rows, n));
  return [ds, weightGradient(b, dy, s, r, 1)];
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
  { kernelName: FUSED_RESIDUAL_RMS_NORM, backendName: "webgpu", kernelFunc: residualRmsNormWebGPU },
  { kernelName: FUSED_RESIDUAL_RMS_NORM_GRAD, backendName: "webgpu", kernelFunc: residualRmsNormGradWebGPU },
];
