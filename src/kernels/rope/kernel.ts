/**
 * `FusedRopeHeads` and its gradient on `cpu` and `wasm`: RoPE and the head
 * transpose in one kernel call per direction, in place of two broadcast
 * multiplies, a split, a negation, a concat, an add and a transpose (and
 * their gradients).
 *
 * Forward: input {x} `[batch, seq, heads, headDim]`, attrs {theta}; output
 * `[batch, heads, seq, headDim]`. Backward: input {dy} `[batch, heads, seq,
 * headDim]`; output dx `[batch, seq, heads, headDim]`.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { tf as tfjs } from "../../backend/tf.ts";
import { type CpuBackend, fusedInputs, type HeapBackend } from "../fused/mod.ts";
import { heapOffset, heapTarget, runHeapTask } from "../parallel/mod.ts";
import { type RopeDims, ropeHeadsBackward, ropeHeadsForward, ropeTables } from "./math.ts";

/** Forward kernel name. */
export const FUSED_ROPE_HEADS = "FusedRopeHeads";
/** Backward kernel name. */
export const FUSED_ROPE_HEADS_GRAD = "FusedRopeHeadsGrad";

/** Attributes of both kernels. */
export interface RopeAttrs {
  [key: string]: number;
  /** The RoPE base (10000 in Llama). */
  theta: number;
}

const { kernelInputs, cpuFloats } = fusedInputs("fused RoPE");

type Pass = (from: Float32Array, to: Float32Array, dims: RopeDims, t: ReturnType<typeof ropeTables>) => void;

/** A kernel of one direction: `inputName` laid out `[batch, seq, heads, d]` (forward) or `[batch, heads, seq, d]`. */
function kernel(backendName: "cpu" | "wasm", inputName: string, forward: boolean): tf.KernelFunc {
  const pass: Pass = forward ? ropeHeadsForward : ropeHeadsBackward;
  return ({ inputs, backend, attrs }) => {
    const x = kernelInputs(inputs, inputName)[inputName];
    if (x.shape.length !== 4 || x.shape[3] % 2 !== 0) {
      throw new Error(`fused RoPE takes a rank-4 tensor with an even last axis, got [${x.shape}]`);
    }
    const [a, b, c, d] = x.shape;
    // Forward: [batch, seq, heads, d] → [batch, heads, seq, d]; backward the reverse.
    const dims: RopeDims = forward ? [a, b, c, d] : [a, c, b, d];
    const outShape = [a, c, b, d];
    if (backendName === "cpu") {
      const cpu = backend as unknown as CpuBackend;
      const out = new Float32Array(a * b * c * d);
      pass(cpuFloats(cpu, x), out, dims, ropeTables(dims[1], d, (attrs as RopeAttrs).theta));
      return cpu.makeTensorInfo(outShape, "float32", out);
    }
    const out = (backend as unknown as HeapBackend).makeOutput(outShape, "float32");
    const [batch, seq, heads] = dims;
    const args = [heapOffset(backend, x), heapOffset(backend, out), batch, seq, heads, d, (attrs as RopeAttrs).theta];
    // The target after the allocation: a growing heap replaces the view.
    runHeapTask(heapTarget(backend), "ropeHeads", [...args, forward ? 1 : 0], a * b * c * d);
    return out;
  };
}

/**
 * The kernel configs (cpu, wasm, both directions), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of ROPE_KERNELS) tf.registerKernel(config);
 * ```
 */
export const ROPE_KERNELS: tf.KernelConfig[] = (["cpu", "wasm"] as const).flatMap((name) => [
  { kernelName: FUSED_ROPE_HEADS, backendName: name, kernelFunc: kernel(name, "x", true) },
  { kernelName: FUSED_ROPE_HEADS_GRAD, backendName: name, kernelFunc: kernel(name, "dy", false) },
]);

/** The gradient of the forward kernel: one backward kernel call. */
export const ROPE_GRADIENT: tf.GradConfig = {
  kernelName: FUSED_ROPE_HEADS,
  inputsToSave: [],
  gradFunc: (dy, _saved, attrs) => {
    const g = Array.isArray(dy) ? dy[0] : dy;
    return { x: () => tfjs.engine().runKernel(FUSED_ROPE_HEADS_GRAD, { dy: g }, attrs) as tf.Tensor };
  },
};
