/**
 * Fused PolyCom kernels for the `cpu` backend: float64 loops over the
 * backend's own Float32Arrays.
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { CpuBackend } from "../kernels/fused/mod.ts";
import {
  cpuFloats as values,
  kernelInputs,
  lastDim,
  POLY_NORM,
  POLY_NORM_GRAD,
  POLY_RELU,
  POLY_RELU_GRAD,
  type PolyNormAttrs,
} from "./_kernel_names.ts";
import { polyNormBackwardRows, polyNormForwardRows, polyReLUBackwardFlat, polyReLUForwardFlat } from "./_row_math.ts";

const polyNormCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  const out = new Float32Array(tf.util.sizeFromShape(x.shape));
  polyNormForwardRows(values(b, x), values(b, a), (attrs as PolyNormAttrs).eps, lastDim(x), out);
  return b.makeTensorInfo(x.shape, "float32", out);
};

const polyNormGradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const dx = new Float32Array(tf.util.sizeFromShape(x.shape));
  const da = new Float64Array(a.shape[0]);
  polyNormBackwardRows(values(b, dy), values(b, x), values(b, a), (attrs as PolyNormAttrs).eps, lastDim(x), dx, da);
  return [b.makeTensorInfo(x.shape, "float32", dx), b.makeTensorInfo([1, da.length], "float32", Float32Array.from(da))];
};

const polyReLUCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as CpuBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  const out = new Float32Array(tf.util.sizeFromShape(x.shape));
  polyReLUForwardFlat(values(b, x), values(b, a), out);
  return b.makeTensorInfo(x.shape, "float32", out);
};

const polyReLUGradCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as CpuBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const dx = new Float32Array(tf.util.sizeFromShape(x.shape));
  const da = new Float64Array(a.shape[0]);
  polyReLUBackwardFlat(values(b, dy), values(b, x), values(b, a), dx, da);
  return [b.makeTensorInfo(x.shape, "float32", dx), b.makeTensorInfo([1, da.length], "float32", Float32Array.from(da))];
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
  { kernelName: POLY_NORM, backendName: "cpu", kernelFunc: polyNormCpu },
  { kernelName: POLY_NORM_GRAD, backendName: "cpu", kernelFunc: polyNormGradCpu },
  { kernelName: POLY_RELU, backendName: "cpu", kernelFunc: polyReLUCpu },
  { kernelName: POLY_RELU_GRAD, backendName: "cpu", kernelFunc: polyReLUGradCpu },
];
