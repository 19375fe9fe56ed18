/**
 * clip heap-thread tasks (see `../parallel/tasks.ts`).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import type { HeapTask } from "../parallel/task.ts";
import { partRange } from "../parallel/task.ts";
import { CLIP_SIMD } from "./_simd_module.ts";
import { scaleInto } from "./math.ts";

/** Floats per chunk of the heap tasks, at least (chunks are fixed by the gradients' sizes alone). */
const CHUNK_FLOATS = 1 << 14;

/**
 * The chunks the wasm tasks cut the gradients into, `[gradient, start, length]`
 * each, in order: a function of the sizes alone, so the norm's sum (chunk by
 * chunk, chunks added in order) does not depend on the thread count.
 *
 * @example
 * ```ts
 * clipChunks([40000, 10]); // [[0, 0, 16384], [0, 16384, 16384], [0, 32768, 7232], [1, 0, 10]]
 * ```
 */
export function clipChunks(sizes: readonly number[]): [number, number, number][] {
  const total = sizes.reduce((a, b) => a + b, 0);
  // Every chunk's sum must fit one part's result slots: big models get bigger chunks.
  const size = Math.max(CHUNK_FLOATS, 4 * Math.ceil(total / (4 * Math.max(1, CHUNK_SLOTS - sizes.length))));
  const chunks: [number, number, number][] = [];
  sizes.forEach((n, g) => {
    for (let start = 0; start < n; start += size) chunks.push([g, start, Math.min(size, n - start)]);
  });
  return chunks;
}

/** Result slots the norm's chunk sums may take (below the pool's 16384 per part). */
const CHUNK_SLOTS = 8192;

/** `[count, offset, size, …]` → offsets and sizes. */
function gradientList(args: Float64Array, from: number): { offsets: number[]; sizes: number[] } {
  const count = args[from];
  const offsets: number[] = [], sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    offsets.push(args[from + 1 + 2 * i]);
    sizes.push(args[from + 2 + 2 * i]);
  }
  return { offsets, sizes };
}

/**
 * Σ g² of the gradients chunk by chunk (SIMD on staged copies; JavaScript
 * without wasm SIMD), as a heap-thread task: args `[count, offset₀, size₀, …]`;
 * part `part` writes the sums of its chunks (of {@linkcode clipChunks}) into
 * its result slots, in order.
 *
 * @example
 * ```ts
 * const heap = new Float32Array(100).fill(1), results = new Float64Array(1); // one chunk
 * clipSumSquaresTask(heap, Float64Array.of(1, 0, 100), 0, 1, results); // results[0] = 100
 * ```
 */
export const clipSumSquaresTask: HeapTask = (heap, args, part, parts, results) => {
  const { offsets, sizes } = gradientList(args, 0);
  const chunks = clipChunks(sizes);
  const [lo, hi] = partRange(chunks.length, part, parts);
  for (let c = lo; c < hi; c++) {
    const [g, start, n] = chunks[c];
    const src = heap.subarray(offsets[g] + start, offsets[g] + start + n);
    const staged = CLIP_SIMD.staging(n);
    if (staged) {
      staged.floats.set(src);
      results[c - lo] = staged.exports.sumsq(0, n);
    } else {
      let s = 0;
      for (let i = 0; i < n; i++) s += src[i] * src[i];
      results[c - lo] = s;
    }
  }
};

/**
 * out = g · scale for every gradient, chunk by chunk, as a heap-thread task:
 * args `[scale, count, src₀, size₀, …, dst₀, …]` (the destinations after the
 * sources' list).
 *
 * @example
 * ```ts
 * const heap = new Float32Array(200).fill(1); // source at 0, destination at 100
 * clipScaleTask(heap, Float64Array.of(0.5, 1, 0, 100, 100), 0, 1, new Float64Array(0));
 * ```
 */
export const clipScaleTask: HeapTask = (heap, args, part, parts) => {
  const scale = args[0];
  const { offsets, sizes } = gradientList(args, 1);
  const outs = Array.from(args.subarray(2 + 2 * offsets.length, 2 + 3 * offsets.length));
  const chunks = clipChunks(sizes);
  const [lo, hi] = partRange(chunks.length, part, parts);
  for (let c = lo; c < hi; c++) {
    const [g, start, n] = chunks[c];
    const src = offsets[g] + start, dst = outs[g] + start;
    if (scale === 1) {
      heap.copyWithin(dst, src, src + n);
      continue;
    }
    const staged = CLIP_SIMD.staging(n);
    if (staged) {
      staged.floats.set(heap.subarray(src, src + n));
      staged.exports.scale(0, n, scale);
      heap.set(staged.floats.subarray(0, n), dst);
    } else scaleInto(heap.subarray(src, src + n), scale, heap.subarray(dst, dst + n));
  }
};

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const CLIP_TASKS = {
  clipSumSquares: clipSumSquaresTask,
  clipScale: clipScaleTask,
} satisfies Record<string, HeapTask>;
