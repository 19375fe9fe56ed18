/**
 * The tiled causal attention on webgpu (FlashAttention-2's scheme), which
 * the `FusedCausalAttention` webgpu kernel runs from {@linkcode FLASH_MIN_SEQ}
 * positions up: it keeps no `[seq, seq]` scores, only each row's logsumexp
 * `[batch, heads, seq]` for the backward, which recomputes the scores tile by
 * tile. One dispatch forward; three backward (`D = rowsum(dO⊙O)`, dq, dk+dv).
 *
 * Forward (inside the fused kernel): outputs `[out, lse]`. Backward,
 * {@linkcode FLASH_CAUSAL_ATTENTION_GRAD}: inputs {dy, q, k, v, out, lse},
 * attrs {scale}; outputs `[dq, dk, dv]`.
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
import { type FlashPass, FlashProgram, flashTiles, RowDotProgram } from "./_webgpu_flash_programs.ts";
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

function program(backend: WebGPUKernelBackend, pass: FlashPass, q: tf.TensorInfo): FlashProgram {
  const [batch, heads, seq, headDim] = q.shape;
  const storage = (backend as Device).device?.limits?.maxComputeWorkgroupStorageSize ?? DEFAULT_STORAGE_BYTES;
  const tiles = flashTiles(pass, headDim, storage, isSoftwareAdapter(backend));
  return new FlashProgram(pass, batch * heads, seq, headDim, tiles);
}

function uniforms(p: FlashProgram, seq: number, scale: number): Uniform[] {
  return [
    { type: "int32", data: [seq] },
    { type: "int32", data: [p.tiles] },
    { type: "int32", data: [p.groups] },
    { type: "float32", data: [scale] },
  ];
}

/** Views a `[rows, ...]` program output as `shape`. */
function as(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: "float32" };
}

/**
 * The tiled forward: `[out, lse]` (lse `[batch, heads, seq]`, each row's
 * log Σ exp of its scaled scores). q, k, v already checked of one shape.
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
  const [batch, heads, seq] = q.shape;
  const p = program(backend, "forward", q);
  return runWithOutputs(backend, p, [q, k, v], [q.shape, [batch, heads, seq]], uniforms(p, seq, scale));
}

const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUKernelBackend;
  const { dy, q, k, v, out, lse } = kernelInputs(inputs, "dy", "q", "k", "v", "out", "lse");
  const [batch, heads, seq, headDim] = q.shape;
  for (const t of [k, v, dy, out]) {
    if (String(t.shape) !== String(q.shape)) {
      throw new Error(`flash attention needs q, k, v, dy, out of one shape, got [${q.shape}] and [${t.shape}]`);
    }
  }
  const { scale } = attrs as CausalAttentionAttrs;
  const rows = batch * heads * seq;
  const dd = b.runWebGPUProgram(new RowDotProgram(rows, headDim), [dy, out], "float32", [
    { type: "int32", data: [rows] },
  ]);
  const pq = program(b, "queries", q);
  const dq = b.runWebGPUProgram(pq, [q, k, v, dy, lse, dd], "float32", uniforms(pq, seq, scale));
  const pk = program(b, "keys", q);
  const [dk, dv] = runWithOutputs(b, pk, [q, k, v, dy, lse, dd], [q.shape, q.shape], uniforms(pk, seq, scale));
  b.disposeData(dd.dataId);
  return [as(dq, q.shape), dk, dv];
};

/**
 * The dispatch grid of each tiled pass at a shape, without running them
 * (workgroups: x·y·z; tfjs folds an x over 65535 into y and z).
 *
 * @example
 * ```ts
 * flashGrids([1, 16, 4096, 128], 16384, false).forward; // [4096, 1, 1]
 * ```
 */
export function flashGrids(
  shape: [number, number, number, number],
  storageBytes: number,
  software: boolean,
): Record<FlashPass | "rowDot", [number, number, number]> {
  const [batch, heads, seq, headDim] = shape;
  const grid = (pass: FlashPass) =>
    new FlashProgram(pass, batch * heads, seq, headDim, flashTiles(pass, headDim, storageBytes, software)).dispatch;
  return {
    forward: grid("forward"),
    queries: grid("queries"),
    keys: grid("keys"),
    rowDot: new RowDotProgram(batch * heads * seq, headDim).dispatch,
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
