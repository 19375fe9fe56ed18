/**
 * Fused RMSNorm on `cpu` and `wasm`: the row loops of `math.ts` over the cpu
 * backend's own arrays and over views of the tfjs wasm heap, and the gradient
 * config every backend shares.
 *
 * The kernels take `x` as [rows, n] (the public op flattens leading axes)
 * and `w` as [n]. The gradient kernel returns `[dx, dw]` with dw as [1, n]
 * (the webgpu kernel sums partials over blocks of rows, then the partials).
 *
 * On wasm the rows are split over the heap threads (`../parallel`), the
 * weight gradient summed per block of rows and the blocks added in order
 * (the same bits on any thread count); outputs are allocated before any view is taken, because
 * an allocation may grow the heap and detach earlier views.
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { type CpuBackend, type EpsAttrs, fusedInputs, type HeapBackend } from "../fused/mod.ts";
import { addBlockSums, heapOffset, heapTarget, reductionBlocks, RESULT_SLOTS, runHeapTask } from "../parallel/mod.ts";
import { rmsNormBackwardRows, rmsNormForwardRows } from "./math.ts";

/** Fused RMSNorm forward: inputs {x, w}, attrs {eps}. */
export const FUSED_RMS_NORM = "FusedRMSNorm";
/** Fused RMSNorm backward: inputs {dy, x, w}, attrs {eps}; outputs [dx, dw as [1, n]]. */
export const FUSED_RMS_NORM_GRAD = "FusedRMSNormGrad";

/**
 * Residual add and RMSNorm (webgpu only; other backends add, then norm):
 * inputs {h, a, w}, attrs {eps}; outputs [s = h + a, y = RMSNorm(s), r]
 * with r = rsqrt(mean(s²) + eps) per row, kept for the backward.
 */
export const FUSED_RESIDUAL_RMS_NORM = "FusedResidualRMSNorm";
/** Its backward: inputs {dy, dsIn (optional), s, w, r}; outputs [ds, dw] (ds reaches both h and a). */
export const FUSED_RESIDUAL_RMS_NORM_GRAD = "FusedResidualRMSNormGrad";

/** Attributes of the RMSNorm kernels. */
export type RmsNormAttrs = EpsAttrs;

/**
 * Checked input access of the RMSNorm kernels, with errors that say "fused
 * RMSNorm": `kernelInputs` (named inputs, checked present), `shape2d`
 * ([rows, n] of a 2-D input) and an input's float32 values on cpu and wasm.
 *
 * @example
 * ```ts
 * import type { tf } from "../../backend/tf.ts";
 * declare const inputs: tf.NamedTensorInfoMap; // a kernel's inputs
 * const { x, w } = kernelInputs(inputs, "x", "w");
 * shape2d({ shape: [4, 16] } as tf.TensorInfo); // [4, 16]
 * ```
 */
export const { kernelInputs, shape2d, cpuFloats, heapFloats } = fusedInputs("fused RMSNorm");

const rmsNormCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { x, w } = kernelInputs(inputs, "x", "w");
  const [rows, n] = shape2d(x);
  const y = new Float32Array(rows * n);
  rmsNormForwardRows(cpuFloats(b, x), cpuFloats(b, w), (attrs as RmsNormAttrs).eps, n, y);
  return b.makeTensorInfo(x.shape, "float32", y);
};

const rmsNormGradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { dy, x, w } = kernelInputs(inputs, "dy", "x", "w");
  const [rows, n] = shape2d(x);
  const dx = new Float32Array(rows * n);
  const dw = new Float64Array(n);
  rmsNormBackwardRows(cpuFloats(b, dy), cpuFloats(b, x), cpuFloats(b, w), (attrs as RmsNormAttrs).eps, n, dx, dw);
  return [b.makeTensorInfo(x.shape, "float32", dx), b.makeTensorInfo([1, n], "float32", Float32Array.from(dw))];
};

const rmsNormWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as HeapBackend;
  const { x, w } = kernelInputs(inputs, "x", "w");
  const [rows, n] = shape2d(x);
  const y = b.makeOutput(x.shape, "float32");
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  // The target after the allocation: a growing heap replaces the view.
  const args = [at(x), at(w), at(y), rows, n, (attrs as RmsNormAttrs).eps];
  runHeapTask(heapTarget(backend), "rmsNormForward", args, rows * n);
  return y;
};

const rmsNormGradWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as HeapBackend;
  const { dy, x, w } = kernelInputs(inputs, "dy", "x", "w");
  const [rows, n] = shape2d(x);
  const dx = b.makeOutput(x.shape, "float32");
  const parts = b.makeOutput([1, n], "float32");
  const eps = (attrs as RmsNormAttrs).eps;
  const heap = (t: tf.TensorInfo) => heapFloats(b, t);
  if (n > RESULT_SLOTS) {
    const dw = new Float64Array(n);
    rmsNormBackwardRows(heap(dy), heap(x), heap(w), eps, n, heap(dx), dw);
    heap(parts).set(dw);
    return [dx, parts];
  }
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  const args = [at(dy), at(x), at(w), at(dx), rows, n, eps];
  const partial = runHeapTask(heapTarget(backend), "rmsNormBackward", args, rows * n);
  const dw = new Float64Array(n);
  addBlockSums(partial, reductionBlocks(rows, n), n, dw);
  heap(parts).set(dw);
  return [dx, parts];
};

/**
 * The cpu and wasm kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of RMS_NORM_KERNELS) tf.registerKernel(config);
 * ```
 */
export const RMS_NORM_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_RMS_NORM, backendName: "cpu", kernelFunc: rmsNormCpu },
  { kernelName: FUSED_RMS_NORM_GRAD, backendName: "cpu", kernelFunc: rmsNormGradCpu },
  { kernelName: FUSED_RMS_NORM, backendName: "wasm", kernelFunc: rmsNormWasm },
  { kernelName: FUSED_RMS_NORM_GRAD, backendName: "wasm", kernelFunc: rmsNormGradWasm },
];

/** The gradient of the forward kernel (every backend): one backward kernel run gives dx and dw. */
export const RMS_NORM_GRADIENT: tf.GradConfig = {
  kernelName: FUSED_RMS_NORM,
  inputsToSave: ["x", "w"],
  gradFunc: (dy, saved, attrs) => {
    const [x, w] = saved;
    // Both gradients come from one kernel run, so it runs here rather than in
    // the per-input closures; the engine's tidy disposes what is not returned.
    const [dx, dw] = tf.engine().runKernel<tf.Tensor[]>(FUSED_RMS_NORM_GRAD, { dy: dy as tf.Tensor, x, w }, attrs);
    return { x: () => dx, w: () => tf.reshape(dw, w.shape) };
  },
};

/** The gradient of the residual kernel: one backward kernel run gives the sum's gradient and dw. */
export const RESIDUAL_RMS_NORM_GRADIENT: tf.GradConfig = {
  kernelName: FUSED_RESIDUAL_RMS_NORM,
  inputsToSave: ["w"],
  outputsToSave: [true, false, true],
  gradFunc: (dys, saved, attrs) => {
    const [w, s, r] = saved;
    const [dsIn, dyOut] = dys as (tf.Tensor | null)[];
    const dy = dyOut ?? tf.zerosLike(s);
    const inputs: tf.NamedTensorMap = dsIn ? { dy, dsIn, s, w, r } : { dy, s, w, r };
    const [ds, dw] = tf.engine().runKernel<tf.Tensor[]>(FUSED_RESIDUAL_RMS_NORM_GRAD, inputs, attrs);
    // h and a get the same gradient; a clone (no copy) lets the tape dispose each on its own.
    return { h: () => ds, a: () => tf.clone(ds), w: () => tf.reshape(dw, w.shape) };
  },
};
