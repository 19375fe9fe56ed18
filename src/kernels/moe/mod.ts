/**
 * The kernels of a mixture-of-experts layer whose shapes are fixed by the
 * batch (src/model/moe.ts): a grouped product over expert-sorted rows padded
 * to blocks of {@linkcode MOE_BLOCK_ROWS} (each block's expert picks its
 * weight matrix; dropless, at most `T·k + E·(block − 1)` rows, as in
 * MegaBlocks), its gradients, and the row selection that moves rows between
 * token order and that layout. Registered on `cpu` (reference loops) and
 * `webgpu` when this module loads.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import { groupedMatMul, MOE_BLOCK_ROWS } from "./mod.ts";
 * const y = groupedMatMul(tf.ones([MOE_BLOCK_ROWS, 4]), tf.ones([2, 4, 3]), tf.tensor1d([1], "int32"));
 * ```
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { registerKernels } from "../registry.ts";
import { MOE_GRADIENTS, MOE_GROUPED_MATMUL, MOE_KERNELS, MOE_SELECT_ROWS } from "./kernel.ts";
import { MOE_WEBGPU_KERNELS } from "./webgpu.ts";

export { MOE_GROUPED_MATMUL, MOE_GROUPED_WEIGHT_GRAD, MOE_SELECT_ROWS } from "./kernel.ts";
export { MOE_BLOCK_ROWS } from "./math.ts";
// The WGSL programs, for tests that size their grids without a GPU.
export { GroupedMatMulProgram, GroupedWeightGradProgram, SelectRowsProgram } from "./_webgpu_programs.ts";

registerKernels({ kernels: [...MOE_KERNELS, ...MOE_WEBGPU_KERNELS], gradients: MOE_GRADIENTS });

/**
 * Whether the active (or given) backend has the MoE kernels.
 *
 * @example
 * ```ts
 * hasMoeKernels("webgpu"); // true
 * ```
 */
export function hasMoeKernels(backend: string = tf.getBackend()): boolean {
  return tf.getKernel(MOE_GROUPED_MATMUL, backend) !== undefined;
}

/**
 * `x [rows, in] · W_e` for the expert `e = blockExpert[block]` of each block
 * of {@linkcode MOE_BLOCK_ROWS} rows, `w [E, in, out]`; a block whose expert
 * is E or more gives zero rows. Differentiable in x and w.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * const rows = tf.ones([2 * MOE_BLOCK_ROWS, 4]) as tf.Tensor2D;
 * const y = groupedMatMul(rows, tf.ones([3, 4, 5]) as tf.Tensor3D, tf.tensor1d([2, 0], "int32")); // [64, 5]
 * ```
 */
export function groupedMatMul(x: tf.Tensor2D, w: tf.Tensor3D, blockExpert: tf.Tensor1D): tf.Tensor2D {
  return tf.engine().runKernel(MOE_GROUPED_MATMUL, { x, w, blockExpert }, { transposeW: false }) as tf.Tensor2D;
}

/**
 * Rows `x[index[i]]` (a zero row where `index[i]` is out of range), where
 * `inverse[j]` is the position that row j of x went to (out of range if
 * none): the gradient is the selection of `dy` by `inverse`, so a scatter is
 * never needed. Differentiable in x.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * selectRows(tf.tensor2d([[1], [2]]), tf.tensor1d([1, -1, 0], "int32"), tf.tensor1d([2, 0], "int32")); // [[2], [0], [1]]
 * ```
 */
export function selectRows(x: tf.Tensor2D, index: tf.Tensor1D, inverse: tf.Tensor1D): tf.Tensor2D {
  return tf.engine().runKernel(MOE_SELECT_ROWS, { x, index, inverse }, {}) as tf.Tensor2D;
}
