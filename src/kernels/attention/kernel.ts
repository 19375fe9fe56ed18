/**
 * `FusedCausalAttention` and its gradient on `cpu` and `wasm`: one kernel
 * call per direction.
 *
 * - wasm with a native BLAS: one heap task per direction (`./_tasks.ts`),
 *   every step of a score matrix while it is in cache, the products in
 *   causal blocks, the softmax passes in SIMD.
 * - otherwise: the products on the backend's (fast) `BatchMatMul` kernel
 *   function, the causal softmax and its backward in row passes between
 *   them (on wasm heap tasks, SIMD on staged rows; see `./math.ts`).
 *
 * Forward: inputs {q, k, v} `[batch, heads, seq, headDim]`, attrs {scale};
 * outputs `[out, probs]` (`probs` `[batch, heads, seq, seq]` is kept for the
 * backward by the custom gradient of `./mod.ts`). Backward: inputs
 * {dy, q, k, v, probs}; outputs `[dq, dk, dv]`.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { tf as tfjs } from "../../backend/tf.ts";
import { type CpuBackend, fusedInputs, type HeapBackend } from "../fused/mod.ts";
import { activeNativeBlas } from "../install.ts";
import type { NativeBlas } from "../matmul/native_blas.ts";
import { heapOffset, heapTarget, runHeapTask } from "../parallel/mod.ts";
import { softmaxBackwardRows, softmaxCausalRows } from "./math.ts";
import { fusedTaskRows } from "./tasks.ts";

/** Forward kernel name. */
export const FUSED_CAUSAL_ATTENTION = "FusedCausalAttention";
/** Backward kernel name. */
export const FUSED_CAUSAL_ATTENTION_GRAD = "FusedCausalAttentionGrad";

/**
 * Forward kernel name of the row-layout attention with RoPE and
 * grouped-query heads (webgpu only: elsewhere the op runs RoPE, the head
 * transposes and the kernels above; see `./mod.ts`).
 */
export const FUSED_ROPE_ATTENTION = "FusedRopeAttention";
/** Its backward kernel name. */
export const FUSED_ROPE_ATTENTION_GRAD = "FusedRopeAttentionGrad";

/** Attributes of the row-layout attention's kernels. */
export interface RopeAttentionAttrs {
  [key: string]: number;
  batch: number;
  seqLen: number;
  heads: number;
  kvHeads: number;
  /** The RoPE base. */
  theta: number;
  /** Multiplies q·kᵀ (usually 1/sqrt(headDim)). */
  scale: number;
}

/** Attributes of both kernels. */
export interface CausalAttentionAttrs {
  [key: string]: number;
  /** Multiplies q·kᵀ (usually 1/sqrt(headDim)). */
  scale: number;
}

const { kernelInputs, cpuFloats, heapFloats } = fusedInputs("fused attention");

type Backend = "cpu" | "wasm";

function matMul(
  name: Backend,
  backend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo {
  // Looked up per call: install.ts swaps this kernel for the native / SIMD GEMM.
  const kernel = tfjs.getKernel("BatchMatMul", name)!;
  return kernel.kernelFunc({
    inputs: { a, b },
    backend: backend as tf.KernelBackend,
    attrs: { transposeA, transposeB },
  }) as tf.TensorInfo;
}

function floats(name: Backend, backend: unknown, t: tf.TensorInfo): Float32Array {
  return name === "cpu" ? cpuFloats(backend as CpuBackend, t) : heapFloats(backend as HeapBackend, t);
}

function dims(q: tf.TensorInfo): { seq: number; headDim: number; matrices: number } {
  if (q.shape.length !== 4) throw new Error(`fused attention takes [batch, heads, seq, headDim], got [${q.shape}]`);
  return { seq: q.shape[2], headDim: q.shape[3], matrices: q.shape[0] * q.shape[1] };
}

/**
 * The BLAS for the per-matrix heap tasks of `./_tasks.ts` (wasm, a native
 * BLAS in use, rows the SIMD module takes). `null`: products and softmax run
 * apart.
 */
function fusedTaskBlas(name: Backend, seq: number): NativeBlas | null {
  return name === "wasm" && fusedTaskRows(seq) ? activeNativeBlas() : null;
}

/** Heap offsets of tensors, then the numbers: a task's arguments (taken after the kernel's last allocation). */
function taskArgs(backend: unknown, tensors: tf.TensorInfo[], ...numbers: number[]): number[] {
  return [...tensors.map((t) => heapOffset(backend, t)), ...numbers];
}

function dispose(backend: unknown, t: tf.TensorInfo): void {
  (backend as { disposeData(id: object): boolean }).disposeData(t.dataId);
}

function forward(name: Backend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { q, k, v } = kernelInputs(inputs, "q", "k", "v");
    const { seq, headDim, matrices } = dims(q);
    const { scale } = attrs as CausalAttentionAttrs;
    if (fusedTaskBlas(name, seq)) {
      const b = backend as HeapBackend;
      const probs = b.makeOutput([q.shape[0], q.shape[1], seq, seq], "float32");
      const out = b.makeOutput(q.shape, "float32");
      const args = taskArgs(backend, [q, k, v, probs, out], seq, headDim, matrices, scale);
      runHeapTask(heapTarget(backend), "attentionForward", args, seq * seq * matrices);
      return [out, probs];
    }
    const probs = matMul(name, backend, q, k, false, true);
    if (name === "wasm") {
      const args = taskArgs(backend, [probs], seq, matrices, scale);
      runHeapTask(heapTarget(backend), "softmaxCausal", args, seq * seq * matrices);
    } else {
      softmaxCausalRows(floats(name, backend, probs), seq, matrices, scale);
    }
    const out = matMul(name, backend, probs, v, false, false);
    return [out, probs];
  };
}

function backward(name: Backend): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, q, k, v, probs } = kernelInputs(inputs, "dy", "q", "k", "v", "probs");
    const { seq, headDim, matrices } = dims(q);
    const { scale } = attrs as CausalAttentionAttrs;
    if (fusedTaskBlas(name, seq)) {
      const b = backend as HeapBackend;
      const [dq, dk, dv] = [q, k, v].map((t) => b.makeOutput(t.shape, "float32"));
      const args = taskArgs(backend, [dy, q, k, v, probs, dq, dk, dv], seq, headDim, matrices, scale);
      runHeapTask(heapTarget(backend), "attentionBackward", args, seq * seq * matrices);
      return [dq, dk, dv];
    }
    const dv = matMul(name, backend, probs, dy, true, false);
    const ds = matMul(name, backend, dy, v, false, true);
    // Views after the allocations: a growing wasm heap detaches older ones.
    if (name === "wasm") {
      const args = taskArgs(backend, [probs, ds], seq, matrices, scale);
      runHeapTask(heapTarget(backend), "softmaxBackward", args, seq * seq * matrices);
    } else {
      softmaxBackwardRows(floats(name, backend, probs), floats(name, backend, ds), seq, matrices, scale);
    }
    const dq = matMul(name, backend, ds, k, false, false);
    const dk = matMul(name, backend, ds, q, true, false);
    dispose(backend, ds);
    return [dq, dk, dv];
  };
}

/**
 * The kernel configs (cpu, wasm, both directions), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of ATTENTION_KERNELS) tf.registerKernel(config);
 * ```
 */
export const ATTENTION_KERNELS: tf.KernelConfig[] = (["cpu", "wasm"] as const).flatMap((name) => [
  { kernelName: FUSED_CAUSAL_ATTENTION, backendName: name, kernelFunc: forward(name) },
  { kernelName: FUSED_CAUSAL_ATTENTION_GRAD, backendName: name, kernelFunc: backward(name) },
]);
