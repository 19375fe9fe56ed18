/**
 * Names and shapes of the fused PolyCom kernels, shared by every backend.
 *
 * Forward kernels take `x` as [rows, n] (the public ops flatten leading axes)
 * and `a` as [r + 1]. Gradient kernels return `[dx, daParts]`, where
 * `daParts` is [P, W ≥ r + 1] and da is the sum of its first r + 1 columns
 * over P: the cpu and wasm kernels sum everything themselves (P = 1), the
 * webgpu kernels leave one partial per row or per block to a stock sum.
 * @module
 */
import type { tf } from "../backend/tf.ts";
import { type EpsAttrs, fusedInputs } from "../kernels/fused/mod.ts";

/** Fused PolyNorm forward: inputs {x, a}, attrs {eps}. */
export const POLY_NORM = "PolyNorm";
/** Fused PolyNorm backward: inputs {dy, x, a}, attrs {eps}; outputs [dx, daParts]. */
export const POLY_NORM_GRAD = "PolyNormGrad";
/** Fused PolyReLU forward: inputs {x, a}. */
export const POLY_RELU = "PolyReLU";
/** Fused PolyReLU backward: inputs {dy, x, a}; outputs [dx, daParts]. */
export const POLY_RELU_GRAD = "PolyReLUGrad";

/** Attributes of the PolyNorm kernels. */
export type PolyNormAttrs = EpsAttrs;

/**
 * Checked input access of the fused PolyCom kernels, with errors that say
 * "fused PolyCom": `kernelInputs` (named inputs, checked present), `shape2d`
 * ([rows, n] of a 2-D input) and an input's float32 values on cpu and wasm.
 *
 * @example
 * ```ts
 * const { x, a } = kernelInputs(inputs, "x", "a");
 * shape2d({ shape: [4, 16] } as tf.TensorInfo); // [4, 16]
 * ```
 */
export const { kernelInputs, shape2d, cpuFloats, heapFloats } = fusedInputs("fused PolyCom");

/**
 * Length of the last axis of a kernel input (the PolyNorm row length).
 *
 * @example
 * ```ts
 * lastDim({ shape: [4, 16] } as tf.TensorInfo); // 16
 * ```
 */
export function lastDim(t: tf.TensorInfo): number {
  return t.shape[t.shape.length - 1] ?? 1;
}
