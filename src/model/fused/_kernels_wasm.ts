/**
 * Fused RMSNorm kernels for the `wasm` backend: the row loops of
 * `_rmsnorm_math.ts` on views of the tfjs heap. Outputs are allocated before
 * any view is taken, because an allocation may grow the heap and detach
 * earlier views.
 *
 * Cross-entropy has no wasm kernel: the same JavaScript loops took 17 ms
 * (fwd+bwd) at logits [2048, 256] and 541 ms at [8192, 2048] against 5.6 ms
 * and 195 ms for the stock ops, whose exponentials run in SIMD WebAssembly
 * (src/kernels' `Exp`); Math.exp per element costs more than the fusion saves.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import type { HeapBackend as WasmBackend } from "../../kernels/fused/mod.ts";
import {
  FUSED_RMS_NORM,
  FUSED_RMS_NORM_GRAD,
  heapFloats as heap,
  kernelInputs,
  type RmsNormAttrs,
  shape2d,
} from "./_names.ts";
import { rmsNormBackwardRows, rmsNormForwardRows } from "./_rmsnorm_math.ts";

const rmsNormWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, w } = kernelInputs(inputs, "x", "w");
  const [, n] = shape2d(x);
  const y = b.makeOutput(x.shape, "float32");
  rmsNormForwardRows(heap(b, x), heap(b, w), (attrs as RmsNormAttrs).eps, n, heap(b, y));
  return y;
};

const rmsNormGradWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { dy, x, w } = kernelInputs(inputs, "dy", "x", "w");
  const [, n] = shape2d(x);
  const dx = b.makeOutput(x.shape, "float32");
  const parts = b.makeOutput([1, n], "float32");
  const dw = new Float64Array(n);
  rmsNormBackwardRows(heap(b, dy), heap(b, x), heap(b, w), (attrs as RmsNormAttrs).eps, n, heap(b, dx), dw);
  heap(b, parts).set(dw);
  return [dx, parts];
};

/**
 * The wasm kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * for (const config of WASM_KERNELS) tf.registerKernel(config);
 * ```
 */
export const WASM_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_RMS_NORM, backendName: "wasm", kernelFunc: rmsNormWasm },
  { kernelName: FUSED_RMS_NORM_GRAD, backendName: "wasm", kernelFunc: rmsNormGradWasm },
];
