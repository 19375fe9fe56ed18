/**
 * Names, attributes and input helpers of the model's fused kernels, shared
 * by every backend.
 *
 * RMSNorm kernels take `x` as [rows, n] (the public op flattens leading axes)
 * and `w` as [n]. The gradient kernel returns `[dx, dwParts]`, where
 * `dwParts` is [P, n] and dw is its sum over P: the cpu and wasm kernels sum
 * every row themselves (P = 1), the webgpu kernel leaves one partial per
 * block of rows to a stock sum.
 *
 * Cross-entropy kernels take logits [rows, V] and int32 labels [rows]; the
 * forward gives each row's loss (the public op takes their mean), the
 * backward dlogits from the per-row upstream gradient.
 * @module
 */
import { type EpsAttrs, fusedInputs } from "../../kernels/fused/mod.ts";

/** Fused RMSNorm forward: inputs {x, w}, attrs {eps}. */
export const FUSED_RMS_NORM = "FusedRMSNorm";
/** Fused RMSNorm backward: inputs {dy, x, w}, attrs {eps}; outputs [dx, dwParts]. */
export const FUSED_RMS_NORM_GRAD = "FusedRMSNormGrad";

/** Fused softmax cross-entropy, per row: inputs {logits, labels}; output [rows]. */
export const FUSED_CROSS_ENTROPY = "FusedSoftmaxCrossEntropy";
/** Its backward: inputs {dy, logits, labels}; output dlogits. */
export const FUSED_CROSS_ENTROPY_GRAD = "FusedSoftmaxCrossEntropyGrad";

/** Attributes of the RMSNorm kernels. */
export type RmsNormAttrs = EpsAttrs;

/**
 * Checked input access of the model's fused kernels, with errors that say
 * "fused model": `kernelInputs` (named inputs, checked present), `shape2d`
 * ([rows, n] of a 2-D input) and an input's float32 values on cpu and wasm.
 *
 * @example
 * ```ts
 * const { x, w } = kernelInputs(inputs, "x", "w");
 * shape2d({ shape: [4, 16] } as tf.TensorInfo); // [4, 16]
 * ```
 */
export const { kernelInputs, shape2d, cpuFloats, heapFloats } = fusedInputs("fused model");
