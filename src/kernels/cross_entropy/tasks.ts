/**
 * cross_entropy heap-thread tasks (see `../parallel/tasks.ts`).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import { partRange } from "../parallel/task.ts";
import { STAGE_BLOCK_FLOATS, stagedRows } from "../_wasm/staged.ts";
import { CROSS_ENTROPY_SIMD } from "./_simd_module.ts";
import { crossEntropyBackwardRows, crossEntropyForwardRows } from "./math.ts";
import type { HeapTask } from "../parallel/task.ts";

/** Rows per staged block of the wasm tasks (a block of logits fills {@linkcode STAGE_BLOCK_FLOATS}). */
const blockRows = (v: number) => Math.max(1, Math.floor(STAGE_BLOCK_FLOATS / v));

/** The label of a row as an index into its v logits, or -1 when out of range (that row's loss is NaN). */
function labelAt(labels: Int32Array, at: number, v: number): number {
  const label = labels[at];
  return label >= 0 && label < v ? label : -1;
}

/**
 * The forward as a heap-thread task over rows: args `[logits, labels, out,
 * rows, v]` (element offsets; labels int32). Max and Σ exp run in SIMD on
 * staged rows, `max + log Σ − logit[label]` once a row in float64.
 *
 * @example
 * ```ts
 * const heap = new Float32Array(522); // logits 2×256 at 0, labels at 512, out at 520
 * crossEntropyForwardTask(heap, Float64Array.of(0, 512, 520, 2, 256), 0, 1);
 * ```
 */
export function crossEntropyForwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [x, labelsAt, out, rows, v] = args;
  const [lo, hi] = partRange(rows, part, parts);
  const labels = new Int32Array(heap.buffer, heap.byteOffset, heap.length);
  const step = blockRows(v);
  const arrays = { inputs: [x], outputs: [], rowFloats: v, scratchFloats: 2 * step, blockRows: step };
  const simd = stagedRows(CROSS_ENTROPY_SIMD, heap, arrays, lo, hi, (e, b, count, first) => {
    e.stats(b.inputs[0], b.scratch, count, v);
    const st = b.floats, s = b.scratch / 4, xs = b.inputs[0] / 4;
    for (let r = 0; r < count; r++) {
      const label = labelAt(labels, labelsAt + first + r, v);
      heap[out + first + r] = label < 0 ? NaN : st[s + 2 * r] + Math.log(st[s + 2 * r + 1]) - st[xs + r * v + label];
    }
  });
  if (simd) return;
  const at = (offset: number, width: number) => heap.subarray(offset + lo * width, offset + hi * width);
  crossEntropyForwardRows(at(x, v), labels.subarray(labelsAt + lo, labelsAt + hi), v, at(out, 1));
}

/**
 * The backward as a heap-thread task over rows: args `[dy, logits, labels,
 * dlogits, rows, v]`; dlogits = dy_row · softmax − dy_row at the label.
 *
 * @example
 * ```ts
 * const heap = new Float32Array(1032); // dy at 0, logits 2×256 at 4, labels at 516, dlogits at 520
 * crossEntropyBackwardTask(heap, Float64Array.of(0, 4, 516, 520, 2, 256), 0, 1);
 * ```
 */
export function crossEntropyBackwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [dy, x, labelsAt, dx, rows, v] = args;
  const [lo, hi] = partRange(rows, part, parts);
  const labels = new Int32Array(heap.buffer, heap.byteOffset, heap.length);
  const step = blockRows(v);
  const arrays = { inputs: [x], outputs: [dx], rowFloats: v, scratchFloats: 2 * step, blockRows: step };
  const simd = stagedRows(CROSS_ENTROPY_SIMD, heap, arrays, lo, hi, (e, b, count, first) => {
    e.stats(b.inputs[0], b.scratch, count, v);
    const st = b.floats, s = b.scratch / 4;
    // dy · exp(x − max) / Σ: exp(x − log Σ exp) would carry log Σ's float32 rounding (an ulp of ~|max|) into p.
    for (let r = 0; r < count; r++) st[s + 2 * r + 1] = heap[dy + first + r] / st[s + 2 * r + 1];
    e.grad(b.inputs[0], b.outputs[0], b.scratch, count, v);
    const ds = b.outputs[0] / 4;
    for (let r = 0; r < count; r++) {
      const label = labelAt(labels, labelsAt + first + r, v);
      if (label >= 0) st[ds + r * v + label] -= heap[dy + first + r];
    }
  });
  if (simd) return;
  const at = (offset: number, width: number) => heap.subarray(offset + lo * width, offset + hi * width);
  crossEntropyBackwardRows(at(dy, 1), at(x, v), labels.subarray(labelsAt + lo, labelsAt + hi), v, at(dx, v));
}

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const CROSS_ENTROPY_TASKS = {
  crossEntropyForward: crossEntropyForwardTask,
  crossEntropyBackward: crossEntropyBackwardTask,
} satisfies Record<string, HeapTask>;
