/**
 * The grouped projections on `webgpu`: forward, input gradient and weight
 * gradients, one dispatch each (see `_webgpu_programs.ts`).
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { runWithOutputs, type Uniform, type WebGPUKernelBackend } from "../fused/mod.ts";
import { FUSED_PROJECTIONS, FUSED_PROJECTIONS_GRAD } from "./kernel.ts";
import { ProjectionsGradProgram, SharedInputMatMulProgram, SummedMatMulProgram } from "./_webgpu_programs.ts";

/** Most products whose whole backward fits one program (3g + 2 storage buffers ≤ WebGPU's guaranteed 8). */
const ONE_PROGRAM_BACKWARD = 2;

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

const gradWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const all = positional(inputs);
  const g = (all.length - 1) / 2;
  const [x, dys, ws] = [all[0], all.slice(1, 1 + g), all.slice(1 + g)];
  const [m, d] = x.shape;
  const b = backend as unknown as WebGPUKernelBackend;
  const widths = dys.map((dy) => dy.shape[1]);
  if (g <= ONE_PROGRAM_BACKWARD) {
    const program = new ProjectionsGradProgram(m, d, widths);
    const shapes = [[m, d], ...widths.map((n) => [d, n])];
    return runWithOutputs(b, program, [x, ...dys, ...ws], shapes, ints(m, d, ...widths));
  }
  const dx = b.runWebGPUProgram(new SummedMatMulProgram(m, d, g), [...dys, ...ws], "float32", ints(m, d, ...widths));
  return [dx, ...sharedInput(b, x, dys, true)];
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
  { kernelName: FUSED_PROJECTIONS_GRAD, backendName: "webgpu", kernelFunc: gradWebGPU },
];
