/**
 * The MoE kernels on `webgpu`: one dispatch each (see _webgpu_programs.ts).
 * Same inputs, attributes and outputs as the cpu kernels (kernel.ts).
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { fusedInputs, type WebGPUKernelBackend } from "../fused/mod.ts";
import { GroupedMatMulProgram, GroupedWeightGradProgram, SelectRowsProgram } from "./_webgpu_programs.ts";
import {
  type GroupedMatMulAttrs,
  groupedShape,
  type GroupedWeightGradAttrs,
  MOE_GROUPED_MATMUL,
  MOE_GROUPED_WEIGHT_GRAD,
  MOE_SELECT_ROWS,
} from "./kernel.ts";

const { kernelInputs, shape2d } = fusedInputs("MoE");

const grouped: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, w, blockExpert } = kernelInputs(inputs, "x", "w", "blockExpert");
  const { transposeW } = attrs as GroupedMatMulAttrs;
  const s = groupedShape(x, w, blockExpert, transposeW);
  const program = new GroupedMatMulProgram(s.rows, s.outer, transposeW);
  return (backend as unknown as WebGPUKernelBackend).runWebGPUProgram(program, [x, w, blockExpert], "float32", [
    { type: "int32", data: [s.inner] },
    { type: "int32", data: [s.outer] },
    { type: "int32", data: [s.experts] },
  ]);
};

const weightGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b, blockExpert } = kernelInputs(inputs, "a", "b", "blockExpert");
  const { experts } = attrs as GroupedWeightGradAttrs;
  const [, m] = shape2d(a);
  const [, n] = shape2d(b);
  const program = new GroupedWeightGradProgram(experts, m, n);
  return (backend as unknown as WebGPUKernelBackend).runWebGPUProgram(program, [a, b, blockExpert], "float32", [
    { type: "int32", data: [m] },
    { type: "int32", data: [n] },
    { type: "int32", data: [blockExpert.shape[0]] },
  ]);
};

const select: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, index } = kernelInputs(inputs, "x", "index", "inverse");
  const [sourceRows, width] = shape2d(x);
  const program = new SelectRowsProgram(index.shape[0], width);
  return (backend as unknown as WebGPUKernelBackend).runWebGPUProgram(program, [x, index], "float32", [
    { type: "int32", data: [width] },
    { type: "int32", data: [sourceRows] },
  ]);
};

/**
 * The webgpu kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * for (const config of MOE_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const MOE_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: MOE_GROUPED_MATMUL, backendName: "webgpu", kernelFunc: grouped },
  { kernelName: MOE_GROUPED_WEIGHT_GRAD, backendName: "webgpu", kernelFunc: weightGrad },
  { kernelName: MOE_SELECT_ROWS, backendName: "webgpu", kernelFunc: select },
];
