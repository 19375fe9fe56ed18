/**
 * Rotary position embeddings (Hugging Face Llama convention: halves, not
 * interleaved pairs) fused with the head transpose: the cos/sin tables and the
 * row passes of {@linkcode ropeHeadsForward} / {@linkcode ropeHeadsBackward}
 * between `[batch, seq, heads, headDim]` and `[batch, heads, seq, headDim]`,
 * and the heap-thread task that runs them, in wasm SIMD (`./_simd_module.ts`)
 * when the head dimension is a multiple of 8.
 * @module
 */
import { partRange } from "../parallel/split.ts";
import { STAGE_BLOCK_FLOATS } from "../_wasm/staged.ts";
import { ROPE_SIMD } from "./_simd_module.ts";

/** cos and sin tables, `[seqLen, headDim]` row-major. */
export interface RopeTables {
  cos: Float32Array;
  sin: Float32Array;
}

const cache = new Map<string, RopeTables>();
const CACHE_LIMIT = 16;

/**
 * The cos/sin tables for positions 0..seqLen-1. Frequencies and angles are
 * rounded to float32 as PyTorch computes them, so tables match HF's closely
 * at long positions.
 *
 * @example
 * ```ts
 * const { cos, sin } = ropeTables(128, 64, 10000);
 * ```
 */
export function ropeTables(seqLen: number, headDim: number, theta: number): RopeTables {
  const key = `${seqLen}/${headDim}/${theta}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const half = headDim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    invFreq[i] = Math.fround(1 / Math.fround(Math.pow(theta, Math.fround((2 * i) / headDim))));
  }
  const cos = new Float32Array(seqLen * headDim);
  const sin = new Float32Array(seqLen * headDim);
  for (let p = 0; p < seqLen; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * invFreq[i]);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * headDim + i] = c;
      cos[p * headDim + half + i] = c;
      sin[p * headDim + i] = s;
      sin[p * headDim + half + i] = s;
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  const tables = { cos, sin };
  cache.set(key, tables);
  return tables;
}

/** `[batch, seq, heads, headDim]` of a RoPE call. */
export type RopeDims = [number, number, number, number];

/**
 * `y[b, h, p] = x[b, p, h]·cos[p] + rotate_half(x[b, p, h])·sin[p]`, with
 * `rotate_half([x1, x2]) = [-x2, x1]`: x `[batch, seq, heads, headDim]` in,
 * y `[batch, heads, seq, headDim]` out. The float32 products and sum round as
 * the unfused `x·cos + rotate_half(x)·sin` does.
 *
 * @example
 * ```ts
 * ropeHeadsForward(x, y, [2, 16, 4, 8], ropeTables(16, 8, 10000));
 * ```
 */
export function ropeHeadsForward(x: Float32Array, y: Float32Array, dims: RopeDims, t: RopeTables): void {
  const [batch, seq, heads, d] = dims;
  const half = d / 2;
  const { cos, sin } = t;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < seq; p++) {
      const tp = p * d;
      for (let h = 0; h < heads; h++) {
        const xi = ((b * seq + p) * heads + h) * d;
        const yi = ((b * heads + h) * seq + p) * d;
        for (let i = 0; i < half; i++) {
          const x1 = x[xi + i], x2 = x[xi + half + i];
          y[yi + i] = Math.fround(x1 * cos[tp + i]) + Math.fround(-x2 * sin[tp + i]);
          y[yi + half + i] = Math.fround(x2 * cos[tp + half + i]) + Math.fround(x1 * sin[tp + half + i]);
        }
      }
    }
  }
}

/**
 * The gradient of {@linkcode ropeHeadsForward}: dy `[batch, heads, seq,
 * headDim]` in, dx `[batch, seq, heads, headDim]` out, `dx1 = dy1·cos +
 * dy2·sin`, `dx2 = dy2·cos − dy1·sin` (the transposed rotation).
 *
 * @example
 * ```ts
 * ropeHeadsBackward(dy, dx, [2, 16, 4, 8], ropeTables(16, 8, 10000));
 * ```
 */
export function ropeHeadsBackward(dy: Float32Array, dx: Float32Array, dims: RopeDims, t: RopeTables): void {
  const [batch, seq, heads, d] = dims;
  const half = d / 2;
  const { cos, sin } = t;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < seq; p++) {
      const tp = p * d;
      for (let h = 0; h < heads; h++) {
        const xi = ((b * seq + p) * heads + h) * d;
        const yi = ((b * heads + h) * seq + p) * d;
        for (let i = 0; i < half; i++) {
          const g1 = dy[yi + i], g2 = dy[yi + half + i];
          dx[xi + i] = Math.fround(g1 * cos[tp + i]) + Math.fround(g2 * sin[tp + half + i]);
          dx[xi + half + i] = Math.fround(g2 * cos[tp + half + i]) - Math.fround(g1 * sin[tp + i]);
        }
      }
    }
  }
}

/**
 * Whether heads of `headDim` floats take the SIMD pass (each half in whole
 * quads), else the JavaScript loops: decided by the shape alone, the same on
 * every thread (both give the same bits anyway).
 *
 * @example
 * ```ts
 * ropeSimdFits(32); // true where wasm SIMD compiles
 * ropeSimdFits(6); // false
 * ```
 */
export const ropeSimdFits = (headDim: number): boolean => headDim % 8 === 0 && ROPE_SIMD.available;

/**
 * RoPE with the head transpose as a heap-thread task: args `[from, to, batch,
 * seq, heads, headDim, theta, forward]` (`forward` 1:
 * {@linkcode ropeHeadsForward}, 0: {@linkcode ropeHeadsBackward}; `seq` and
 * `heads` as the forward's input lays them out). The SIMD pass splits the
 * `batch·seq` positions, the JavaScript loops the batch; each element is
 * computed alone, so the bits do not depend on the split.
 *
 * @example
 * ```ts
 * ropeHeadsTask(heap, Float64Array.of(0, 512, 2, 16, 2, 8, 10000, 1), 0, 1);
 * ```
 */
export function ropeHeadsTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [from, to, batch, seq, heads, d, theta, forward] = args;
  if (ropeSimdFits(d)) {
    const [lo, hi] = partRange(batch * seq, part, parts);
    if (lo < hi) ropeStaged(heap, [from, to], [seq, heads, d], ropeTables(seq, d, theta), forward === 1, lo, hi);
    return;
  }
  const [lo, hi] = partRange(batch, part, parts);
  if (lo === hi) return;
  const per = seq * heads * d;
  const at = (offset: number) => heap.subarray(offset + lo * per, offset + hi * per);
  const pass = forward ? ropeHeadsForward : ropeHeadsBackward;
  pass(at(from), at(to), [hi - lo, seq, heads, d], ropeTables(seq, d, theta));
}

const round4 = (floats: number) => Math.ceil(floats / 4) * 4;

/**
 * The SIMD pass over positions `[lo, hi)` of `batch·seq`, block by block: a
 * block is a run of positions of one sequence, or whole sequences. The
 * `[batch, seq, heads, d]` side of a block is contiguous in the heap; the
 * `[batch, heads, seq, d]` side is one run per head (one run for whole
 * sequences), copied in (backward) or out (forward) head by head.
 */
function ropeStaged(
  heap: Float32Array,
  [from, to]: [number, number],
  [seq, heads, d]: [number, number, number],
  t: RopeTables,
  forward: boolean,
  lo: number,
  hi: number,
): void {
  const row = heads * d;
  const blockRows = Math.max(1, Math.floor(STAGE_BLOCK_FLOATS / row));
  const tableFloats = round4(seq * d);
  const blockFloats = round4(blockRows * row);
  const staging = ROPE_SIMD.staging(2 * tableFloats + 2 * blockFloats)!;
  const { exports: simd, floats } = staging;
  floats.set(t.cos, 0);
  floats.set(t.sin, tableFloats);
  const [inAt, outAt] = [2 * tableFloats, 2 * tableFloats + blockFloats];
  const [ph, hp] = forward ? [from, to] : [to, from];
  for (let first = lo; first < hi;) {
    const b = Math.floor(first / seq), p = first - b * seq;
    const whole = p === 0 && blockRows >= seq && hi - first >= seq;
    // Whole sequences: as many as fit; else the positions left in this sequence.
    const rows = whole
      ? Math.min(Math.floor(blockRows / seq), Math.floor((hi - first) / seq)) * seq
      : Math.min(seq - p, hi - first, blockRows);
    const [phAt, phLen] = [ph + first * row, rows * row];
    // The HP side: whole sequences are one run from (b, 0, 0); else one run of `rows` positions per head.
    const runs = whole ? 1 : heads;
    const runFloats = whole ? phLen : rows * d;
    const hpAt = (h: number) => hp + ((b * heads + h) * seq + p) * d;
    if (forward) floats.set(heap.subarray(phAt, phAt + phLen), inAt);
    else for (let h = 0; h < runs; h++) floats.set(heap.subarray(hpAt(h), hpAt(h) + runFloats), inAt + h * runFloats);
    const pass = forward ? simd.fwd : simd.bwd;
    const positions = whole ? seq : rows;
    const tables = 4 * p * d;
    for (let s = 0; s < rows; s += positions) {
      const at = 4 * s * row;
      pass(4 * inAt + at, 4 * outAt + at, tables, 4 * tableFloats + tables, positions, heads, d / 2);
    }
    if (!forward) heap.set(floats.subarray(outAt, outAt + phLen), phAt);
    else {for (let h = 0; h < runs; h++) {
        heap.set(floats.subarray(outAt + h * runFloats, outAt + (h + 1) * runFloats), hpAt(h));
      }}
    first += rows;
  }
}
