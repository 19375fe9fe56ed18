/**
 * What the fused kernels use of tfjs-backend-webgpu's WebGPUBackend, and the
 * uniforms every row program starts with.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import type { AdapterHolder } from "./_adapter.ts";
import { vectorWidth, type WebGPUProgramLike } from "./_webgpu_common.ts";

/** One uniform value of a `runWebGPUProgram` call. */
export type Uniform = { type: "int32" | "float32"; data: number[] };

/** The part of tfjs-backend-webgpu's WebGPUBackend every fused kernel uses. */
export interface WebGPUBackendLike extends AdapterHolder {
  runWebGPUProgram(
    program: WebGPUProgramLike,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: Uniform[],
    output?: tf.TensorInfo,
  ): tf.TensorInfo;
}

/** What the fused kernels that run several programs also use: temporaries, and freeing them. */
export interface WebGPUKernelBackend extends WebGPUBackendLike {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

/**
 * Row length in vectors and row count, the uniforms (`nc`, `rows`) every row
 * program starts with.
 *
 * @example
 * ```ts
 * rowUniforms(2048, 512); // [{ type: "int32", data: [128] }, { type: "int32", data: [2048] }]
 * ```
 */
export function rowUniforms(rows: number, n: number): Uniform[] {
  return [{ type: "int32", data: [n / vectorWidth(n)] }, { type: "int32", data: [rows] }];
}
