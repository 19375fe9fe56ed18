/**
 * Softmax cross-entropy row loops: on typed arrays for the cpu kernels (sums
 * in float64), and as heap-thread tasks for the wasm kernels (SIMD passes of
 * `_simd_module.ts` on staged rows, the JavaScript loops where wasm SIMD is
 * missing).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import { partRange } from "../parallel/split.ts";
import { STAGE_BLOCK_FLOATS, stagedRows } from "../_wasm/staged.ts";
import { CROSS_ENTROPY_SIMD } from "./_simd_module.ts";

function logSumExp(logits: Float32Array, base: number, v: number): number {
  let m = -Infinity;
  for (let j = base; j < base + v; j++) if (logits[j] > m) m = logits[j];
  let s = 0;
  for (let j = base; j < base + v; j++) s += Math.exp(logits[j] - m);
  return m + Math.log(s);
}

/**
 * Per-row loss log Σ exp(logits) − logits[label] over rows of length v.
 *
 * @example
 * ```ts
 * const out = new Float32Array(1);
 * crossEntropyForwardRows(Float32Array.of(0, 0), Int32Array.of(1), 2, out); // out[0] = log 2
 * ```
 */
export function crossEntropyForwardRows(logits: Float32Array, labels: Int32Array, v: number, out: Float32Array): void {
  for (let i = 0; i < labels.length; i++) {
    const base = i * v;
    out[i] = logSumExp(logits, base, v) - logits[base + labels[i]];
  }
}

/**
 * dlogits = dy_row · (softmax(logits) − onehot(label)), row by row.
 *
 * @example
 * ```ts
 * const dx = new Float32Array(2);
 * crossEntropyBackwardRows(Float32Array.of(1), Float32Array.of(0, 0), Int32Array.of(1), 2, dx); // [0.5, -0.5]
 * ```
 */
export function crossEntropyBackwardRows(
  dy: Float32Array,
  logits: Float32Array,
  labels: Int32Array,
  v: number,
  dx: Float32Array,
): void {
  for (let i = 0; i < labels.length; i++) {
    const base = i * v;
    const lse = logSumExp(logits, base, v);
    const g = dy[i];
    const label = labels[i];
    for (let j = 0; j < v; j++) {
      const p = Math.exp(logits[base + j] - lse);
      dx[base + j] = g * (j === label ? p - 1 : p);
    }
  }
}

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
