/**
 * `FusedRopeAttention` and its gradient on `webgpu`: causal attention on the
 * projections as they come, q `[batch·seq, heads·headDim]`, k and v
 * `[batch·seq, kvHeads·headDim]`, RoPE applied inside the tiled passes of
 * `./webgpu_flash.ts` and grouped-query heads read by index, so no
 * transpose, rotation or repeat runs outside them: one dispatch forward,
 * three backward, at every sequence length.
 *
 * Forward: inputs {q, k, v}, attrs {@linkcode RopeAttentionAttrs}; outputs
 * `[out, lse]` (out `[batch·seq, heads·headDim]`, lse `[batch·seq·heads]`).
 * Backward: inputs {dy, q, k, v, out, lse}, same attrs; outputs `[dq, dk,
 * dv]` of q's, k's and v's shapes (unrotated, dk and dv summed over each
 * group's query heads).
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { fusedInputs, type WebGPUKernelBackend } from "../fused/mod.ts";
import { ropeTables } from "../rope/mod.ts";
import type { FlashLayout } from "./_webgpu_flash_programs.ts";
import { FUSED_ROPE_ATTENTION, FUSED_ROPE_ATTENTION_GRAD, type RopeAttentionAttrs } from "./kernel.ts";
import { runFlashBackward, runFlashForward } from "./webgpu_flash.ts";

const { kernelInputs } = fusedInputs("rope attention");

/** cos then sin, `[2, seq, headDim]`, by `seq/headDim/theta` (the tables of the RoPE kernels). */
const tableCache = new Map<string, Float32Array>();

function tables(seq: number, headDim: number, theta: number): Float32Array {
  const key = `${seq}/${headDim}/${theta}`;
  let both = tableCache.get(key);
  if (!both) {
    const { cos, sin } = ropeTables(seq, headDim, theta);
    both = new Float32Array(2 * seq * headDim);
    both.set(cos);
    both.set(sin, seq * headDim);
    tableCache.set(key, both);
  }
  return both;
}

function layoutOf(q: tf.TensorInfo, k: tf.TensorInfo, v: tf.TensorInfo, attrs: RopeAttentionAttrs): FlashLayout {
  const { batch, seqLen, heads, kvHeads } = attrs;
  const headDim = q.shape[1] / heads;
  const rows = batch * seqLen;
  const ok = q.shape.length === 2 && Number.isInteger(headDim) && headDim % 2 === 0 && heads % kvHeads === 0 &&
    String(q.shape) === String([rows, heads * headDim]) && String(k.shape) === String([rows, kvHeads * headDim]) &&
    String(v.shape) === String(k.shape);
  if (!ok) {
    throw new Error(
      `rope attention: q [${q.shape}], k [${k.shape}], v [${v.shape}] do not fit batch ${batch}, seq ${seqLen}, ` +
        `${heads} heads, ${kvHeads} key/value heads and an even head dim`,
    );
  }
  return { batch, seq: seqLen, heads, kvHeads, headDim, rope: true };
}

/** Runs `f` with the RoPE tables uploaded for `layout`, then frees them. */
function withTables<T>(b: WebGPUKernelBackend, layout: FlashLayout, theta: number, f: (t: tf.TensorInfo) => T): T {
  const rope = b.makeTensorInfo(
    [2 * layout.seq * layout.headDim],
    "float32",
    tables(layout.seq, layout.headDim, theta),
  );
  try {
    return f(rope);
  } finally {
    b.disposeData(rope.dataId);
  }
}

const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUKernelBackend;
  const { q, k, v } = kernelInputs(inputs, "q", "k", "v");
  const a = attrs as RopeAttentionAttrs;
  const layout = layoutOf(q, k, v, a);
  const lseShape = [layout.batch * layout.seq * layout.heads];
  return withTables(b, layout, a.theta, (rope) => runFlashForward(b, layout, [q, k, v], a.scale, lseShape, rope));
};

const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUKernelBackend;
  const { dy, q, k, v, out, lse } = kernelInputs(inputs, "dy", "q", "k", "v", "out", "lse");
  const a = attrs as RopeAttentionAttrs;
  const layout = layoutOf(q, k, v, a);
  return withTables(b, layout, a.theta, (rope) => runFlashBackward(b, layout, [dy, q, k, v, out, lse], a.scale, rope));
};

/**
 * The webgpu kernel configs (both directions), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of ROPE_ATTENTION_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const ROPE_ATTENTION_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_ROPE_ATTENTION, backendName: "webgpu", kernelFunc: forward },
  { kernelName: FUSED_ROPE_ATTENTION_GRAD, backendName: "webgpu", kernelFunc: backward },
];
