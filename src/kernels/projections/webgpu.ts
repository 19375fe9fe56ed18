/**
 * The grouped projections on `webgpu`: forward, input gradient and weight
 * gradients, one dispatch each (see `_webgpu_programs.ts`).
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { runWithOutputs, type Uniform, type WebGPUKernelBackend } from "../fused/mod.ts";
import { FUSED_PROJECTIONS, FUSED_PROJECTIONS_GRAD_W, FUSED_PROJECTIONS_GRAD_X } from "./kernel.ts";
import { SharedInputMatMulProgram, SummedMatMulProgram } from "./_webgpu_programs.ts";

const ints = (...values: number[]): Uniform[] => values.map((x) => ({ type: "int32", data: [x] }));

/** The kernel's positional inputs (tfjs hands an array through as it was given). */
const positional = (inputs: tf.NamedTensorInfoMap) => inputs as unknown as tf.TensorInfo[];

/** `Yi = A·Bi` (A `[m, k]`, or stored `[k, m]` when `transposeA`; Bi `[k, ni]`) in one dispatch. */
function sharedInput(
  backend: WebGPUKernelBackend,
  a: tf.TensorInfo,
  bs: tf.TensorInfo[],
  transposeA: boolean,
): tf.TensorInfo[] {
  const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const widths = bs.map((b) => b.shape[1]);
  const program = new SharedInputMatMulProgram(m, k, widths, transposeA);
  const shapes = widths.map((n) => [m, n]);
  return runWithOutputs(backend, program, [a, ...bs], shapes, ints(m, k, ...widths));
}

const projectionsWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const [x, ...ws] = positional(inputs);
  return sharedInput(backend as unknown as WebGPUKernelBackend, x, ws, false);
};

const gradXWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const all = positional(inputs);
  const g = all.length / 2;
  const [dys, ws] = [all.slice(0, g), all.slice(g)];
  const [m, n] = [dys[0].shape[0], ws[0].shape[0]];
  const b = backend as unknown as WebGPUKernelBackend;
  const uniforms = ints(m, n, ...dys.map((dy) => dy.shape[1]));
  return b.runWebGPUProgram(new SummedMatMulProgram(m, n, g), [...dys, ...ws], "float32", uniforms);
};

const gradWWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const [x, ...dys] = positional(inputs);
  return sharedInput(backend as unknown as WebGPUKernelBackend, x, dys, true);
};

/**
 * The webgpu kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of PROJECTIONS_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const PROJECTIONS_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_PROJECTIONS, backendName: "webgpu", kernelFunc: projectionsWebGPU },
  { kernelName: FUSED_PROJECTIONS_GRAD_X, backendName: "webgpu", kernelFunc: gradXWebGPU },
  { kernelName: FUSED_PROJECTIONS_GRAD_W, backendName: "webgpu", kernelFunc: gradWWebGPU },
];
