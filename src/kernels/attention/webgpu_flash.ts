/**
 * The tiled causal attention on webgpu (FlashAttention-2's scheme), which
 * the `FusedCausalAttention` webgpu kernel runs from {@linkcode FLASH_MIN_SEQ}
 * positions up: it keeps no `[seq, seq]` scores, only each row's logsumexp
 * `[batch, heads, seq]` for the backward, which recomputes the scores tile by
 * tile. One dispatch forward; three backward (the rows' `(lse, D =
 * rowsum(dO⊙O))`, dq, dk+dv).
 *
 * Forward (inside the fused kernel): outputs `[out, lse]`. Backward,
 * {@linkcode FLASH_CAUSAL_ATTENTION_GRAD}: inputs {dy, q, k, v, out, lse},
 * attrs {scale}; outputs `[dq, dk, dv]`. The same passes run the row-layout
 * attention with RoPE and grouped-query heads (`./webgpu_rope.ts`).
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import {
  fusedInputs,
  isSoftwareAdapter,
  runWithOutputs,
  type Uniform,
  type WebGPUKernelBackend,
} from "../fused/mod.ts";
import { type FlashLayout, type FlashPass, FlashProgram, flashTiles, StatsProgram } from "./_webgpu_flash_programs.ts";
import type { CausalAttentionAttrs } from "./kernel.ts";

/** Backward kernel name of the tiled attention (webgpu only). */
export const FLASH_CAUSAL_ATTENTION_GRAD = "FlashCausalAttentionGrad";

/**
 * Sequence length from which the webgpu attention tiles: below it the
 * `[seq, seq]` scores are small and the fused kernel's products on tfjs's
 * matmul are the faster path.
 */
export const FLASH_MIN_SEQ = 512;

/** WebGPU's default `maxComputeWorkgroupStorageSize`, for a device that reports none. */
const DEFAULT_STORAGE_BYTES = 16384;

let minSeqOverride: number | null = null;

/**
 * Makes the webgpu attention tile from `seq` positions up (`0`: always,
 * `Infinity`: never), or restores {@linkcode FLASH_MIN_SEQ} (`null`). For
 * tests comparing the two paths at one length.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import { causalAttention } from "./mod.ts";
 * const q = tf.randomNormal([1, 2, 64, 8]) as tf.Tensor4D;
 * overrideFlashMinSeq(0);
 * try {
 *   causalAttention(q, q, q); // tiled on webgpu although 64 < FLASH_MIN_SEQ
 * } finally {
 *   overrideFlashMinSeq(null);
 * }
 * ```
 */
export function overrideFlashMinSeq(seq: number | null): void {
  minSeqOverride = seq;
}

/**
 * Whether the webgpu attention tiles at this sequence length.
 *
 * @example
 * ```ts
 * usesFlash(4096); // true
 * usesFlash(128); // false
 * ```
 */
export function usesFlash(seq: number): boolean {
  return seq >= (minSeqOverride ?? FLASH_MIN_SEQ);
}

const { kernelInputs } = fusedInputs("flash attention");

interface Device {
  device?: { limits?: { maxComputeWorkgroupStorageSize?: number } };
}

function program(backend: WebGPUKernelBackend, pass: FlashPass, layout: FlashLayout): FlashProgram {
  const storage = (backend as Device).device?.limits?.maxComputeWorkgroupStorageSize ?? DEFAULT_STORAGE_BYTES;
  return new FlashProgram(pass, layout, flashTiles(pass, layout.headDim, storage, isSoftwareAdapter(backend)));
}

function uniforms(p: FlashProgram, seq: number, scale: number): Uniform[] {
  return [
    { type: "int32", data: [seq] },
    { type: "int32", data: [p.tiles] },
    { type: "int32", data: [p.groups] },
    { type: "float32", data: [scale] },
  ];
}

/** Views a program output as `shape`. */
function as(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: "float32" };
}

/** `[batch, heads, seq, headDim]` as the passes' row layout: batch·heads batches of one head. */
function headsLayout(q: tf.TensorInfo): FlashLayout {
  const [batch, heads, seq, headDim] = q.shape;
  return { batch: batch * heads, seq, heads: 1, kvHeads: 1, headDim, rope: false };
}

/**
 * The forward pass: `[out, lse]` (out of q's shape, lse of `lseShape`).
 * `rope`: the cos/sin tables `[2, seq, headDim]` when `layout.rope`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import type { WebGPUKernelBackend } from "../fused/mod.ts";
 * const backend = tf.backend() as unknown as WebGPUKernelBackend; // webgpu
 * const q = tf.randomNormal([2 * 64, 4 * 8]);
 * const layout = { batch: 2, seq: 64, heads: 4, kvHeads: 4, headDim: 8, rope: false };
 * const [out, lse] = runFlashForward(backend, layout, [q, q, q], 1 / Math.sqrt(8), [2 * 64 * 4]);
 * ```
 */
export function runFlashForward(
  backend: WebGPUKernelBackend,
  layout: FlashLayout,
  qkv: tf.TensorInfo[],
  scale: number,
  lseShape: number[],
  rope?: tf.TensorInfo,
): tf.TensorInfo[] {
  const p = program(backend, "forward", layout);
  const inputs = rope ? [...qkv, rope] : qkv;
  return runWithOutputs(backend, p, inputs, [qkv[0].shape, lseShape], uniforms(p, layout.seq, scale));
}

/**
 * The three backward passes: `[dq, dk, dv]` of q's, k's and v's shapes.
 * `tensors`: dy, q, k, v, out, lse; `rope` as for {@linkcode runFlashForward}.
 *
 * @example
 * ```ts
 * import type { tf } from "../../backend/tf.ts";
 * import type { WebGPUKernelBackend } from "../fused/mod.ts";
 * import type { FlashLayout } from "./_webgpu_flash_programs.ts";
 * declare const backend: WebGPUKernelBackend, layout: FlashLayout, tensors: tf.TensorInfo[];
 * const [dq, dk, dv] = runFlashBackward(backend, layout, tensors, 0.125);
 * ```
 */
export function runFlashBackward(
  backend: WebGPUKernelBackend,
  layout: FlashLayout,
  tensors: tf.TensorInfo[],
  scale: number,
  rope?: tf.TensorInfo,
): tf.TensorInfo[] {
  const [dy, q, k, v, out, lse] = tensors;
  const rows = layout.batch * layout.seq * layout.heads;
  const stats = backend.runWebGPUProgram(new StatsProgram(rows, layout.headDim), [dy, out, lse], "float32", [
    { type: "int32", data: [rows] },
  ]);
  const inputs = [q, k, v, dy, stats, ...(rope ? [rope] : [])];
  const pq = program(backend, "queries", layout);
  const dq = backend.runWebGPUProgram(pq, inputs, "float32", uniforms(pq, layout.seq, scale));
  const pk = program(backend, "keys", layout);
  const [dk, dv] = runWithOutputs(backend, pk, inputs, [k.shape, v.shape], uniforms(pk, layout.seq, scale));
  backend.disposeData(stats.dataId);
  return [as(dq, q.shape), dk, dv];
}

/**
 * The tiled forward on `[batch, heads, seq, headDim]`: `[out, lse]` (lse
 * `[batch, heads, seq]`, each row's log Σ exp of its scaled scores). q, k, v
 * already checked of one shape.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * import type { WebGPUKernelBackend } from "../fused/mod.ts";
 * const q = tf.randomNormal([1, 2, 1024, 16]);
 * const backend = tf.backend() as unknown as WebGPUKernelBackend; // webgpu
 * const [out, lse] = flashForward(backend, q, q, q, 1 / Math.sqrt(16)); // lse: [1, 2, 1024]
 * ```
 */
export function flashForward(
  backend: WebGPUKernelBackend,
  q: tf.TensorInfo,
  k: tf.TensorInfo,
  v: tf.TensorInfo,
  scale: number,
): tf.TensorInfo[] {
  return runFlashForward(backend, headsLayout(q), [q, k, v], scale, q.shape.slice(0, 3));
}

const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUKernelBackend;
  const { dy, q, k, v, out, lse } = kernelInputs(inputs, "dy", "q", "k", "v", "out", "lse");
  for (const t of [k, v, dy, out]) {
    if (String(t.shape) !== String(q.shape)) {
      throw new Error(`flash attention needs q, k, v, dy, out of one shape, got [${q.shape}] and [${t.shape}]`);
    }
  }
  const { scale } = attrs as CausalAttentionAttrs;
  return runFlashBackward(b, headsLayout(q), [dy, q, k, v, out, lse], scale);
};

/**
 * The dispatch grid of each tiled pass for a layout, without running them
 * (workgroups: x·y·z; tfjs folds an x over 65535 into y and z).
 *
 * @example
 * ```ts
 * const layout = { batch: 1, seq: 4096, heads: 16, kvHeads: 16, headDim: 128, rope: true };
 * flashGrids(layout, 16384, false).forward; // [8192, 1, 1]
 * ```
 */
export function flashGrids(
  layout: FlashLayout,
  storageBytes: number,
  software: boolean,
): Record<FlashPass | "stats", [number, number, number]> {
  const grid = (pass: FlashPass) =>
    new FlashProgram(pass, layout, flashTiles(pass, layout.headDim, storageBytes, software)).dispatch;
  return {
    forward: grid("forward"),
    queries: grid("queries"),
    keys: grid("keys"),
    stats: new StatsProgram(layout.batch * layout.heads * layout.seq, layout.headDim).dispatch,
  };
}

/**
 * The tiled backward's kernel config, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/mod.ts";
 * for (const config of FLASH_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const FLASH_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FLASH_CAUSAL_ATTENTION_GRAD, backendName: "webgpu", kernelFunc: backward },
];
