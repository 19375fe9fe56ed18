/**
 * SwiGLU's activation `silu(gate) · up` in one kernel forward and one
 * backward on `cpu`, `wasm` and `webgpu` (registered when this module
 * loads), the stock ops elsewhere.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import { fusedSwiGLU } from "./mod.ts";
 * const y = fusedSwiGLU(tf.tensor1d([1, -1]), tf.tensor1d([2, 3]));
 * ```
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { fusedOrStock, hasKernel, registerKernels } from "../registry.ts";
import { FUSED_SWIGLU, SWIGLU_GRADIENT, SWIGLU_KERNELS } from "./kernel.ts";
import { SWIGLU_WEBGPU_KERNELS } from "./webgpu.ts";

export { FUSED_SWIGLU, FUSED_SWIGLU_GRAD } from "./kernel.ts";
export { sigmoidInto, swigluBackwardInto, swigluForwardInto } from "./math.ts";

registerKernels({ kernels: [...SWIGLU_KERNELS, ...SWIGLU_WEBGPU_KERNELS], gradients: [SWIGLU_GRADIENT] });

/**
 * Whether the active (or given) backend has the fused SwiGLU kernels.
 *
 * @example
 * ```ts
 * hasFusedSwiGLU("wasm"); // true
 * ```
 */
export function hasFusedSwiGLU(backend: string = tf.getBackend()): boolean {
  return hasKernel(FUSED_SWIGLU, backend);
}

/**
 * `silu(gate) · up` (`silu(g) = g·σ(g)`): one fused kernel on cpu/wasm/webgpu for
 * float32 inputs of one shape, the stock ops otherwise or with
 * `fused: false` (the reference the kernels are tested against).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const gate = tf.tensor2d([[1, -1]]), up = tf.tensor2d([[2, 3]]);
 * const y = fusedSwiGLU(gate, up); // shape [1, 2]
 * ```
 */
export function fusedSwiGLU(gate: tf.Tensor, up: tf.Tensor, options: { fused?: boolean } = {}): tf.Tensor {
  const fusable = gate.dtype === "float32" && up.dtype === "float32" && String(gate.shape) === String(up.shape);
  return fusedOrStock(
    FUSED_SWIGLU,
    (options.fused ?? true) && fusable,
    () => tf.tidy(() => tf.engine().runKernel<tf.Tensor[]>(FUSED_SWIGLU, { gate, up }, {})[0]),
    () => tf.tidy(() => tf.mul(tf.mul(gate, tf.sigmoid(gate)), up)),
  );
}
