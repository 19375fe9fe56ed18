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
import type { tf } from "../../backend/tf.ts";

/** Fused RMSNorm forward: inputs {x, w}, attrs {eps}. */
export const FUSED_RMS_NORM = "FusedRMSNorm";
/** Fused RMSNorm backward: inputs {dy, x, w}, attrs {eps}; outputs [dx, dwParts]. */
export const FUSED_RMS_NORM_GRAD = "FusedRMSNormGrad";

/** Fused softmax cross-entropy, per row: inputs {logits, labels}; output [rows]. */
export const FUSED_CROSS_ENTROPY = "FusedSoftmaxCrossEntropy";
/** Its backward: inputs {dy, logits, labels}; output dlogits. */
export const FUSED_CROSS_ENTROPY_GRAD = "FusedSoftmaxCrossEntropyGrad";

/** Attributes of the RMSNorm kernels. */
export interface RmsNormAttrs {
  [key: string]: number;
  eps: number;
}

/**
 * The named inputs of a kernel call, checked present.
 *
 * @example
 * ```ts
 * const { x, w } = kernelInputs(inputs, "x", "w");
 * ```
 */
export function kernelInputs<K extends string>(inputs: tf.NamedTensorInfoMap, ...names: K[]): Record<K, tf.TensorInfo> {
  const out = {} as Record<K, tf.TensorInfo>;
  for (const name of names) {
    const t = inputs[name];
    if (!t) throw new Error(`fused model kernel called without input '${name}'`);
    out[name] = t;
  }
  return out;
}

/**
 * [rows, n] of a 2-D kernel input.
 *
 * @example
 * ```ts
 * shape2d({ shape: [4, 16] } as tf.TensorInfo); // [4, 16]
 * ```
 */
export function shape2d(t: tf.TensorInfo): [number, number] {
  if (t.shape.length !== 2) throw new Error(`fused model kernels take [rows, n], got [${t.shape}]`);
  return [t.shape[0], t.shape[1]];
}
