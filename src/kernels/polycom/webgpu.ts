/**
 * Fused PolyCom kernels for the `webgpu` backend, running the WGSL programs
 * of `_webgpu_programs.ts` (PolyNorm) and `_webgpu_relu_programs.ts` (PolyReLU) through the backend's `runWebGPUProgram`.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import {
  ColumnSumProgram,
  columnSumUniforms,
  isSoftwareAdapter,
  rowUniforms,
  type Uniform,
  vectorWidth,
  type WebGPUKernelBackend as WebGPUBackend,
} from "../fused/mod.ts";
import {
  kernelInputs,
  POLY_NORM,
  POLY_NORM_GRAD,
  POLY_RELU,
  POLY_RELU_GRAD,
  type PolyNormAttrs,
  shape2d,
} from "./kernel.ts";
import {
  EPS_UNSCALED_F32,
  PolyNormDxProgram,
  PolyNormForwardProgram,
  PolyNormStatsProgram,
  T_CUT_F32,
} from "./_webgpu_programs.ts";
import { PolyReLUDaProgram, PolyReLUDxProgram, PolyReLUForwardProgram } from "./_webgpu_relu_programs.ts";

/** The row uniforms, then sqrt(eps), the eps-dominance cut, and whether eps allows plain powers. */
function polyNormUniforms(rows: number, n: number, eps: number): Uniform[] {
  const sqrtEps = Math.sqrt(eps);
  return [
    ...rowUniforms(rows, n),
    { type: "float32", data: [sqrtEps] },
    { type: "float32", data: [sqrtEps / T_CUT_F32] },
    { type: "int32", data: [eps >= EPS_UNSCALED_F32[0] && eps <= EPS_UNSCALED_F32[1] ? 1 : 0] },
  ];
}

const polyNormWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WebGPUBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  const [rows, n] = shape2d(x);
  const program = new PolyNormForwardProgram(rows, n, a.shape[0] - 1, isSoftwareAdapter(b));
  return b.runWebGPUProgram(program, [x, a], "float32", polyNormUniforms(rows, n, (attrs as PolyNormAttrs).eps));
};

const polyNormGradWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WebGPUBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const [rows, n] = shape2d(x);
  const order = a.shape[0] - 1;
  const uniforms = polyNormUniforms(rows, n, (attrs as PolyNormAttrs).eps);
  const soft = isSoftwareAdapter(b);
  const stats = b.runWebGPUProgram(new PolyNormStatsProgram(rows, n, order, soft), [dy, x, a], "float32", uniforms);
  const dx = b.runWebGPUProgram(new PolyNormDxProgram(rows, n, order, soft), [dy, x, stats], "float32", uniforms);
  // stats' first r + 1 columns are each row's share of da.
  const width = order + 1;
  const sum = new ColumnSumProgram(width, soft);
  const da = b.runWebGPUProgram(sum, [stats], "float32", columnSumUniforms(rows, stats.shape[1], width));
  b.disposeData(stats.dataId);
  return [dx, da];
};

const polyReLUWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WebGPUBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  return b.runWebGPUProgram(new PolyReLUForwardProgram(shape2d(x), a.shape[0] - 1), [x, a], "float32");
};

const polyReLUGradWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WebGPUBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const shape = shape2d(x);
  const order = a.shape[0] - 1;
  const total = shape[0] * shape[1];
  const daProgram = new PolyReLUDaProgram(total, order, isSoftwareAdapter(b));
  const parts = b.runWebGPUProgram(daProgram, [dy, x], "float32", [
    { type: "int32", data: [total / vectorWidth(total)] },
    { type: "int32", data: [daProgram.outputShape[0]] },
  ]);
  const dx = b.runWebGPUProgram(new PolyReLUDxProgram(shape, order), [dy, x, a], "float32");
  const width = order + 1;
  const sum = new ColumnSumProgram(width, isSoftwareAdapter(b));
  const da = b.runWebGPUProgram(sum, [parts], "float32", columnSumUniforms(parts.shape[0], parts.shape[1], width));
  b.disposeData(parts.dataId);
  return [dx, da];
};

/**
 * The webgpu kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of POLYCOM_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const POLYCOM_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: POLY_NORM, backendName: "webgpu", kernelFunc: polyNormWebGPU },
  { kernelName: POLY_NORM_GRAD, backendName: "webgpu", kernelFunc: polyNormGradWebGPU },
  { kernelName: POLY_RELU, backendName: "webgpu", kernelFunc: polyReLUWebGPU },
  { kernelName: POLY_RELU_GRAD, backendName: "webgpu", kernelFunc: polyReLUGradWebGPU },
];
