/**
 * rope heap-thread tasks (see `../parallel/tasks.ts`).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import { partRange } from "../parallel/task.ts";
import { STAGE_BLOCK_FLOATS } from "../_wasm/staged.ts";
import { ROPE_SIMD } from "./_simd_module.ts";
import { ropeHeadsBackward, ropeHeadsForward, type RopeTables, ropeTables } from "./math.ts";
import type { HeapTask } from "../parallel/task.ts";

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
 * const heap = new Float32Array(1024); // x at 0, y at 512: 2·16·2·8 elements each
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

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const ROPE_TASKS = {
  ropeHeads: ropeHeadsTask,
} satisfies Record<string, HeapTask>;
