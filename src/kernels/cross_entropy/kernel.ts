/**
 * Fused softmax cross-entropy on `cpu` (the row loops of `math.ts` over the
 * backend's own arrays) and `wasm` (its heap tasks: SIMD passes on staged
 * rows, on every heap thread), and the gradient config every backend shares.
 *
 * The kernels take logits [rows, V] and int32 labels [rows]; the forward
 * gives each row's loss (the public op takes their mean), the backward
 * dlogits from the per-row upstream gradient.
 *
 * On wasm the fusion pays only with the SIMD exponential: JavaScript loops
 * with Math.exp per element lose to the stock ops.
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { type CpuBackend, fusedInputs, type HeapBackend } from "../fused/mod.ts";
import { heapOffset, heapTarget, runHeapTask } from "../parallel/mod.ts";
import { crossEntropyBackwardRows, crossEntropyForwardRows } from "./math.ts";

/** Fused softmax cross-entropy, per row: inputs {logits, labels}; output [rows]. */
export const FUSED_CROSS_ENTROPY = "FusedSoftmaxCrossEntropy";
/** Its backward: inputs {dy, logits, labels}; output dlogits. */
export const FUSED_CROSS_ENTROPY_GRAD = "FusedSoftmaxCrossEntropyGrad";

/**
 * Checked input access of the cross-entropy kernels, with errors that say
 * "fused cross-entropy": `kernelInputs` (named inputs, checked present),
 * `shape2d` ([rows, V] of a 2-D input) and an input's float32 values on cpu.
 *
 * @example
 * ```ts
 * import type { tf } from "../../backend/tf.ts";
 * declare const inputs: tf.NamedTensorInfoMap; // a kernel's inputs
 * const { logits, labels } = kernelInputs(inputs, "logits", "labels");
 * ```
 */
export const { kernelInputs, shape2d, cpuFloats } = fusedInputs("fused cross-entropy");

function ints(backend: CpuBackend, t: tf.TensorInfo): Int32Array {
  const v = backend.data.get(t.dataId).values;
  if (!(v instanceof Int32Array)) throw new Error(`fused cross-entropy needs int32 labels, got ${t.dtype}`);
  return v;
}

const crossEntropyCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as CpuBackend;
  const { logits, labels } = kernelInputs(inputs, "logits", "labels");
  const [rows, v] = shape2d(logits);
  const out = new Float32Array(rows);
  crossEntropyForwardRows(cpuFloats(b, logits), ints(b, labels), v, out);
  return b.makeTensorInfo([rows], "float32", out);
};

const crossEntropyGradCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as CpuBackend;
  const { dy, logits, labels } = kernelInputs(inputs, "dy", "logits", "labels");
  const [rows, v] = shape2d(logits);
  const dx = new Float32Array(rows * v);
  crossEntropyBackwardRows(cpuFloats(b, dy), cpuFloats(b, logits), ints(b, labels), v, dx);
  return b.makeTensorInfo(logits.shape, "float32", dx);
};

function int32Labels(t: tf.TensorInfo): void {
  if (t.dtype !== "int32") throw new Error(`fused cross-entropy needs int32 labels, got ${t.dtype}`);
}

const crossEntropyWasm: tf.KernelFunc = ({ inputs, backend }) => {
  const { logits, labels } = kernelInputs(inputs, "logits", "labels");
  int32Labels(labels);
  const [rows, v] = shape2d(logits);
  const out = (backend as HeapBackend).makeOutput([rows], "float32");
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  runHeapTask(heapTarget(backend), "crossEntropyForward", [at(logits), at(labels), at(out), rows, v], rows * v);
  return out;
};

const crossEntropyGradWasm: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, logits, labels } = kernelInputs(inputs, "dy", "logits", "labels");
  int32Labels(labels);
  const [rows, v] = shape2d(logits);
  const dx = (backend as HeapBackend).makeOutput([rows, v], "float32");
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  const args = [at(dy), at(logits), at(labels), at(dx), rows, v];
  runHeapTask(heapTarget(backend), "crossEntropyBackward", args, rows * v);
  return dx;
};

/**
 * The cpu and wasm kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of CROSS_ENTROPY_KERNELS) tf.registerKernel(config);
 * ```
 */
export const CROSS_ENTROPY_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_CROSS_ENTROPY, backendName: "cpu", kernelFunc: crossEntropyCpu },
  { kernelName: FUSED_CROSS_ENTROPY_GRAD, backendName: "cpu", kernelFunc: crossEntropyGradCpu },
  { kernelName: FUSED_CROSS_ENTROPY, backendName: "wasm", kernelFunc: crossEntropyWasm },
  { kernelName: FUSED_CROSS_ENTROPY_GRAD, backendName: "wasm", kernelFunc: crossEntropyGradWasm },
];

/** The gradient of the forward kernel (every backend), with respect to the logits. */
export const CROSS_ENTROPY_GRADIENT: tf.GradConfig = {
  kernelName: FUSED_CROSS_ENTROPY,
  inputsToSave: ["logits", "labels"],
  gradFunc: (dy, saved) => {
    const [logits, labels] = saved;
    return {
      logits: () => tf.engine().runKernel<tf.Tensor>(FUSED_CROSS_ENTROPY_GRAD, { dy: dy as tf.Tensor, logits, labels }),
      // Labels are integers: no gradient flows to them.
      labels: () => tf.zeros(labels.shape),
    };
  },
};
