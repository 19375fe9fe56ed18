/**
 * `FusedSwiGLU` and its gradient on `cpu` and `wasm`: `silu(gate) · up` in
 * one kernel call per direction, in place of a sigmoid and two multiplies
 * forward and five multiplies, a subtraction and an add backward.
 *
 * Forward: inputs {gate, up} (one shape), outputs `[out, sigmoid(gate)]` (the
 * sigmoid is kept for the backward; on wasm both come from one SIMD pass on
 * every heap thread, see `./_simd_module.ts`). Backward:
 * inputs {dy, gate, up, s}; outputs `[dGate, dUp]`.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { tf as tfjs } from "../../backend/tf.ts";
import { type CpuBackend, fusedInputs, type HeapBackend } from "../fused/mod.ts";
import { heapOffset, heapTarget, runHeapTask } from "../parallel/mod.ts";
import { sigmoidInto, swigluBackwardInto, swigluForwardInto } from "./math.ts";

/** Forward kernel name. */
export const FUSED_SWIGLU = "FusedSwiGLU";
/** Backward kernel name. */
export const FUSED_SWIGLU_GRAD = "FusedSwiGLUGrad";

const { kernelInputs, cpuFloats } = fusedInputs("fused SwiGLU");
const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function sameShape(a: tf.TensorInfo, b: tf.TensorInfo): void {
  if (String(a.shape) !== String(b.shape)) {
    throw new Error(`fused SwiGLU needs gate and up of one shape, got [${a.shape}] and [${b.shape}]`);
  }
}

const cpuForward: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as CpuBackend;
  const { gate, up } = kernelInputs(inputs, "gate", "up");
  sameShape(gate, up);
  const g = cpuFloats(b, gate);
  const s = new Float32Array(g.length), out = new Float32Array(g.length);
  sigmoidInto(g, s);
  swigluForwardInto(g, cpuFloats(b, up), s, out);
  return [b.makeTensorInfo(gate.shape, "float32", out), b.makeTensorInfo(gate.shape, "float32", s)];
};

const wasmForward: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as HeapBackend;
  const { gate, up } = kernelInputs(inputs, "gate", "up");
  sameShape(gate, up);
  const s = b.makeOutput(gate.shape, "float32"), out = b.makeOutput(gate.shape, "float32");
  const n = sizeOf(gate.shape);
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  // The target after the allocations: a growing heap replaces the view.
  runHeapTask(heapTarget(backend), "swigluForward", [at(gate), at(up), at(s), at(out), n], n);
  return [out, s];
};

function backward(name: "cpu" | "wasm"): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { dy, gate, up, s } = kernelInputs(inputs, "dy", "gate", "up", "s");
    sameShape(gate, up);
    if (name === "cpu") {
      const b = backend as unknown as CpuBackend;
      const n = sizeOf(gate.shape);
      const dg = new Float32Array(n), du = new Float32Array(n);
      const f = (t: tf.TensorInfo) => cpuFloats(b, t);
      swigluBackwardInto(f(dy), f(gate), f(up), f(s), dg, du);
      return [b.makeTensorInfo(gate.shape, "float32", dg), b.makeTensorInfo(gate.shape, "float32", du)];
    }
    const b = backend as unknown as HeapBackend;
    const dg = b.makeOutput(gate.shape, "float32"), du = b.makeOutput(gate.shape, "float32");
    const n = sizeOf(gate.shape);
    const at = (t: tf.TensorInfo) => heapOffset(backend, t);
    runHeapTask(heapTarget(backend), "swigluBackward", [at(dy), at(gate), at(up), at(s), at(dg), at(du), n], n);
    return [dg, du];
  };
}

/**
 * The kernel configs (cpu, wasm, both directions), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of SWIGLU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const SWIGLU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_SWIGLU, backendName: "cpu", kernelFunc: cpuForward },
  { kernelName: FUSED_SWIGLU, backendName: "wasm", kernelFunc: wasmForward },
  { kernelName: FUSED_SWIGLU_GRAD, backendName: "cpu", kernelFunc: backward("cpu") },
  { kernelName: FUSED_SWIGLU_GRAD, backendName: "wasm", kernelFunc: backward("wasm") },
];

/** The gradient of the forward kernel: one backward kernel call gives both input gradients. */
export const SWIGLU_GRADIENT: tf.GradConfig = {
  kernelName: FUSED_SWIGLU,
  inputsToSave: ["gate", "up"],
  outputsToSave: [false, true],
  gradFunc: (dy, saved) => {
    const [gate, up, s] = saved;
    const g = Array.isArray(dy) ? dy[0] : dy;
    const [dGate, dUp] = tfjs.engine().runKernel<tf.Tensor[]>(FUSED_SWIGLU_GRAD, { dy: g, gate, up, s }, {});
    return { gate: () => dGate, up: () => dUp };
  },
};
