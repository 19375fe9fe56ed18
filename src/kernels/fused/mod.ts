/**
 * Plumbing shared by the families of fused tfjs kernels (the op folders
 * next to this one: polycom, rms_norm, cross_entropy, attention, ...):
 * checked input
 * access with errors that name the family, the software-adapter rule for
 * webgpu workgroup sizes (with its test override), and the WGSL program bases.
 *
 * @example
 * ```ts
 * import { fusedInputs } from "./mod.ts";
 * const { kernelInputs } = fusedInputs("fused RMSNorm");
 * ```
 * @module
 */
export { type CpuBackend, type EpsAttrs, type FusedInputs, fusedInputs, type HeapBackend } from "./_inputs.ts";
export {
  type AdapterHolder,
  isSoftwareAdapter,
  overrideSoftwareAdapter,
  rowWorkgroupSize,
  SOFTWARE_WORKGROUP,
} from "./_adapter.ts";
export {
  ElementwiseProgram,
  hsum,
  ROW_INDEX,
  rowDispatch,
  RowProgram,
  vectorWidth,
  type WebGPUProgramLike,
  wgslType,
} from "./_webgpu_common.ts";
export { runWithOutputs, writableBindings } from "./_webgpu_outputs.ts";
export { ColumnSumProgram, columnSumUniforms, type ColumnTerm } from "./_webgpu_column_sum.ts";
export { countDispatches } from "./_webgpu_dispatches.ts";
export { countDeviceReads } from "./_webgpu_reads.ts";
export { rowUniforms, type Uniform, type WebGPUBackendLike, type WebGPUKernelBackend } from "./_webgpu_backend.ts";
