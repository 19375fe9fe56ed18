/**
 * Grouped projections: several products of one input, `Yi = X·Wi`, as one
 * kernel each way on `webgpu` (forward, then `dX = Σ dYi·Wiᵀ` and every
 * `dWi = Xᵀ·dYi`: two or three dispatches in place of 3g products and
 * g − 1 gradient sums). One weight is a plain product with a one-dispatch
 * backward. Registered when this module loads; other backends have no
 * kernel, and the model's `linears` (src/model/_ops.ts) runs the separate
 * products there through `fusedOrStock`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import { FUSED_PROJECTIONS, fusedOrStock, fusedProjections, projectionsFusable } from "./mod.ts";
 * const x = tf.ones([4, 8]) as tf.Tensor2D, ws = [tf.ones([8, 8]), tf.ones([8, 2])] as tf.Tensor2D[];
 * const ys = fusedOrStock(FUSED_PROJECTIONS, projectionsFusable(x, ws), () => fusedProjections(x, ws), () => ws.map((w) => tf.matMul(x, w)));
 * ```
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { hasKernel, registerKernels } from "../registry.ts";
import { FUSED_PROJECTIONS, PROJECTIONS_GRADIENT } from "./kernel.ts";
import { PROJECTIONS_WEBGPU_KERNELS } from "./webgpu.ts";

export { fusedOrStock } from "../registry.ts";
export { FUSED_PROJECTIONS, FUSED_PROJECTIONS_GRAD } from "./kernel.ts";
// The WGSL programs, for tests that size their grids without a GPU.
export { ProjectionsGradProgram, SharedInputMatMulProgram, SummedMatMulProgram } from "./_webgpu_programs.ts";

registerKernels({ kernels: PROJECTIONS_WEBGPU_KERNELS, gradients: [PROJECTIONS_GRADIENT] });

/**
 * Most products in one group: the input gradient binds 2g + 1 storage
 * buffers, and WebGPU guarantees 8 per shader stage.
 */
export const MAX_PROJECTIONS = 3;

/**
 * Whether `x [m, d]` and the weights `[d, ni]` (one to
 * {@linkcode MAX_PROJECTIONS}, float32) are ones the grouped kernel takes.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * projectionsFusable(tf.ones([2, 3]) as tf.Tensor2D, [tf.ones([3, 4]), tf.ones([3, 5])] as tf.Tensor2D[]); // true
 * ```
 */
export function projectionsFusable(x: tf.Tensor2D, ws: readonly tf.Tensor2D[]): boolean {
  const d = x.shape[1];
  return ws.length >= 1 && ws.length <= MAX_PROJECTIONS && x.dtype === "float32" && x.size > 0 &&
    ws.every((w) => w.dtype === "float32" && w.rank === 2 && w.shape[0] === d && w.size > 0);
}

/**
 * `[x·w0, x·w1, …]` in one kernel (and its gradient in two). Throws when the
 * active backend has no kernel or the inputs do not fit
 * ({@linkcode projectionsFusable}).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * declare const x: tf.Tensor2D, wq: tf.Tensor2D, wk: tf.Tensor2D, wv: tf.Tensor2D;
 * const [q, k, v] = fusedProjections(x, [wq, wk, wv]);
 * ```
 */
export function fusedProjections(x: tf.Tensor2D, ws: readonly tf.Tensor2D[]): tf.Tensor2D[] {
  if (!projectionsFusable(x, ws)) {
    throw new Error(`fused projections: [${x.shape}] by ${ws.map((w) => `[${w.shape}]`).join(", ")} do not fit`);
  }
  if (!hasKernel(FUSED_PROJECTIONS)) throw new Error(`no fused projections kernel on backend '${tf.getBackend()}'`);
  return tf.engine().runKernel<tf.Tensor2D[]>(FUSED_PROJECTIONS, [x, ...ws] as unknown as tf.NamedTensorMap, {});
}
