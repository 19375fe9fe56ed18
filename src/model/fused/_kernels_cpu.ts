/**
 * Fused model kernels for the `cpu` backend: the row loops of
 * `_rmsnorm_math.ts` and `_cross_entropy_math.ts` over the backend's own arrays.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import type { CpuBackend } from "../../kernels/fused/mod.ts";
import {
  cpuFloats as values,
  FUSED_CROSS_ENTROPY,
  FUSED_CROSS_ENTROPY_GRAD,
  FUSED_RMS_NORM,
  FUSED_RMS_NORM_GRAD,
  kernelInputs,
  type RmsNormAttrs,
  shape2d,
} from "./_names.ts";
import { rmsNormBackwardRows, rmsNormForwardRows } from "./_rmsnorm_math.ts";
import { crossEntropyBackwardRows, crossEntropyForwardRows } from "./_cross_entropy_math.ts";

function ints(backend: CpuBackend, t: tf.TensorInfo): Int32Array {
  const v = backend.data.get(t.dataId).values;
  if (!(v instanceof Int32Array)) throw new Error(`fused cross-entropy needs int32 labels, got ${t.dtype}`);
  return v;
}

const rmsNormCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { x, w } = kernelInputs(inputs, "x", "w");
  const [rows, n] = shape2d(x);
  const y = new Float32Array(rows * n);
  rmsNormForwardRows(values(b, x), values(b, w), (attrs as RmsNormAttrs).eps, n, y);
  return b.makeTensorInfo(x.shape, "float32", y);
};

const rmsNormGradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { dy, x, w } = kernelInputs(inputs, "dy", "x", "w");
  const [rows, n] = shape2d(x);
  const dx = new Float32Array(rows * n);
  const dw = new Float64Array(n);
  rmsNormBackwardRows(values(b, dy), values(b, x), values(b, w), (attrs as RmsNormAttrs).eps, n, dx, dw);
  return [b.makeTensorInfo(x.shape, "float32", dx), b.makeTensorInfo([1, n], "float32", Float32Array.from(dw))];
};

const crossEntropyCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as CpuBackend;
  const { logits, labels } = kernelInputs(inputs, "logits", "labels");
  const [rows, v] = shape2d(logits);
  const out = new Float32Array(rows);
  crossEntropyForwardRows(values(b, logits), ints(b, labels), v, out);
  return b.makeTensorInfo([rows], "float32", out);
};

const crossEntropyGradCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as CpuBackend;
  const { dy, logits, labels } = kernelInputs(inputs, "dy", "logits", "labels");
  const [rows, v] = shape2d(logits);
  const dx = new Float32Array(rows * v);
  crossEntropyBackwardRows(values(b, dy), values(b, logits), ints(b, labels), v, dx);
  return b.makeTensorInfo(logits.shape, "float32", dx);
};

/**
 * The cpu kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * for (const config of CPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const CPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_RMS_NORM, backendName: "cpu", kernelFunc: rmsNormCpu },
  { kernelName: FUSED_RMS_NORM_GRAD, backendName: "cpu", kernelFunc: rmsNormGradCpu },
  { kernelName: FUSED_CROSS_ENTROPY, backendName: "cpu", kernelFunc: crossEntropyCpu },
  { kernelName: FUSED_CROSS_ENTROPY_GRAD, backendName: "cpu", kernelFunc: crossEntropyGradCpu },
];
