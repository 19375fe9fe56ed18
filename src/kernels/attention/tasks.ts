/**
 * Fused causal attention on wasm with a native BLAS, as heap-thread tasks
 * split over the score matrices (batch × head): each part takes whole
 * matrices and runs every step of one matrix before the next, so its
 * `[seq, seq]` scores stay in the core's cache between the products and the
 * softmax, and a direction costs one task instead of one per product.
 *
 * The scores live in this thread's staging memory (`../_wasm/staged.ts`),
 * where the SIMD softmax of `./_simd_module.ts` runs in place and from where
 * the BLAS reads them back; only the probabilities the backward needs go to
 * the heap. Products whose operand is causal skip its zero blocks: rows are
 * cut into blocks of {@linkcode CAUSAL_BLOCK}, each block's product ending
 * (or, transposed, starting) at its diagonal block. Every matrix is computed
 * by the same calls on whichever thread takes it (under heap threads the
 * caller sets the BLAS to one thread), so the bits do not depend on the
 * thread count.
 *
 * Arguments (float32 element offsets into the heap, then sizes):
 * - `attentionForward`: `[q, k, v, probs, out, seq, headDim, matrices, scale]`
 * - `attentionBackward`: `[dy, q, k, v, probs, dq, dk, dv, seq, headDim, matrices, scale]`
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import { type NativeBlas, nativeBlas } from "../matmul/native_blas.ts";
import { partRange } from "../parallel/task.ts";
import { ATTENTION_SIMD } from "./_simd_module.ts";
import { stagedRows } from "../_wasm/staged.ts";
import { softmaxBackwardRows, softmaxCausalRows } from "./math.ts";
import type { HeapTask } from "../parallel/task.ts";

/**
 * Rows per block of the causal products: at seq 128, two blocks skip a
 * quarter of the products' work; smaller or uneven blocks lose more in
 * OpenBLAS's small-matrix kernel than the skipped zeros save.
 */
export const CAUSAL_BLOCK = 64;

/** Whether the fused tasks take matrices of `seq` rows (else the kernel runs products and softmax apart). */
export function fusedTaskRows(seq: number): boolean {
  return seq % 4 === 0 && ATTENTION_SIMD.available;
}

function blas(): NativeBlas {
  const native = nativeBlas();
  if (!native) throw new Error("fused attention task without a native BLAS");
  return native;
}

/** Row blocks `[lo, hi)` of a matrix of `seq` rows. */
function blocks(seq: number): [number, number][] {
  const out: [number, number][] = [];
  for (let lo = 0; lo < seq; lo += CAUSAL_BLOCK) out.push([lo, Math.min(seq, lo + CAUSAL_BLOCK)]);
  return out;
}

/** This thread's staging memory with room for `matrices` score matrices, and the module bound to it. */
function staging(seq: number, matrices: number) {
  const staged = ATTENTION_SIMD.staging(matrices * seq * seq);
  if (!staged) throw new Error("fused attention task without wasm SIMD");
  return staged;
}

/**
 * A·Bᵀ for a causal result `c` (`[seq, seq]`, row stride seq): each row block
 * against the key rows up to its end; c's entries right of that are left as
 * they were (the softmax passes never read them).
 */
function causalScores(
  b: NativeBlas,
  heap: Float32Array,
  a: number,
  bt: number,
  c: Float32Array,
  cAt: number,
  seq: number,
  d: number,
): void {
  for (const [lo, hi] of blocks(seq)) {
    b.sgemm(false, true, hi - lo, hi, d, heap, a + lo * d, heap, bt, c, cAt + lo * seq, false, [d, d, seq]);
  }
}

/** P·B for a causal P (`[seq, seq]`, zeros above the diagonal): each row block over the rows of B up to its end. */
function causalTimes(
  b: NativeBlas,
  p: Float32Array,
  pAt: number,
  heap: Float32Array,
  x: number,
  out: number,
  seq: number,
  d: number,
): void {
  for (const [lo, hi] of blocks(seq)) {
    b.sgemm(false, false, hi - lo, d, hi, p, pAt + lo * seq, heap, x, heap, out + lo * d, false, [seq, d, d]);
  }
}

/** Pᵀ·B for a causal P: row block [lo, hi) of the result sums over P's rows from lo on. */
function causalTransposedTimes(
  b: NativeBlas,
  p: Float32Array,
  pAt: number,
  heap: Float32Array,
  x: number,
  out: number,
  seq: number,
  d: number,
): void {
  for (const [lo, hi] of blocks(seq)) {
    const at = pAt + lo * seq + lo;
    b.sgemm(true, false, hi - lo, d, seq - lo, p, at, heap, x + lo * d, heap, out + lo * d, false, [seq, d, d]);
  }
}

/**
 * The forward of matrices `[lo, hi)` of this part: scores = q·kᵀ (causal
 * blocks), probs = the causal softmax of scale·scores (SIMD, in place in
 * the staging memory, copied to the heap), out = probs·v (causal blocks).
 *
 * @example
 * ```ts
 * declare const heap: Float32Array;
 * declare const q: number, k: number, v: number, probs: number, out: number; // element offsets
 * attentionForwardTask(heap, Float64Array.of(q, k, v, probs, out, 128, 32, 64, 0.17677669), 0, 1);
 * ```
 */
export function attentionForwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [q, k, v, probs, out, seq, d, matrices, scale] = args;
  const [lo, hi] = partRange(matrices, part, parts);
  if (lo === hi) return;
  const native = blas();
  const size = seq * seq;
  const { exports: simd, floats } = staging(seq, 1);
  for (let m = lo; m < hi; m++) {
    causalScores(native, heap, q + m * seq * d, k + m * seq * d, floats, 0, seq, d);
    simd.fwd(0, 0, seq, 0, seq, scale);
    heap.set(floats.subarray(0, size), probs + m * size);
    causalTimes(native, floats, 0, heap, v + m * seq * d, out + m * seq * d, seq, d);
  }
}

/**
 * The backward of matrices `[lo, hi)` of this part: dv = pᵀ·dy,
 * dp = dy·vᵀ, ds = the softmax backward (SIMD, in place over dp in the
 * staging memory, never stored to the heap), dq = ds·k, dk = dsᵀ·q, every
 * product in causal blocks.
 *
 * @example
 * ```ts
 * declare const heap: Float32Array;
 * declare const dy: number, q: number, k: number, v: number, probs: number; // element offsets
 * declare const dq: number, dk: number, dv: number;
 * attentionBackwardTask(heap, Float64Array.of(dy, q, k, v, probs, dq, dk, dv, 128, 32, 64, 0.17677669), 0, 1);
 * ```
 */
export function attentionBackwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [dy, q, k, v, probs, dq, dk, dv, seq, d, matrices, scale] = args;
  const [lo, hi] = partRange(matrices, part, parts);
  if (lo === hi) return;
  const native = blas();
  const size = seq * seq;
  const { exports: simd, floats } = staging(seq, 2);
  const p = 0, ds = size;
  for (let m = lo; m < hi; m++) {
    const at = m * seq * d;
    floats.set(heap.subarray(probs + m * size, probs + (m + 1) * size), p);
    causalTransposedTimes(native, floats, p, heap, dy + at, dv + at, seq, d);
    causalScores(native, heap, dy + at, v + at, floats, ds, seq, d);
    simd.bwd(4 * p, 4 * ds, 4 * ds, seq, 0, seq, scale);
    causalTimes(native, floats, ds, heap, k + at, dq + at, seq, d);
    causalTransposedTimes(native, floats, ds, heap, q + at, dk + at, seq, d);
  }
}

/** Whether rows of `seq` floats take the SIMD passes (else the float64 JavaScript loops). */
const simdRows = (seq: number) => seq % 4 === 0 && ATTENTION_SIMD.available;

/**
 * {@linkcode softmaxCausalRows} as a heap-thread task, in place, split over
 * the score matrices: args `[s, seq, matrices, scale]`. On staged rows in
 * SIMD (`./_simd_module.ts`) when `seq` is a multiple of 4.
 *
 * @example
 * ```ts
 * const heap = new Float32Array(64 * 128 * 128);
 * softmaxCausalTask(heap, Float64Array.of(0, 128, 64, 0.17677669), 0, 1);
 * ```
 */
export function softmaxCausalTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [s, seq, matrices, scale] = args;
  const [lo, hi] = partRange(matrices, part, parts);
  if (simdRows(seq)) {
    const arrays = { inputs: [s], outputs: [s], rowFloats: seq };
    stagedRows(ATTENTION_SIMD, heap, arrays, lo * seq, hi * seq, (simd, b, rows, first) => {
      simd.fwd(b.inputs[0], b.outputs[0], rows, first % seq, seq, scale);
    });
    return;
  }
  softmaxCausalRows(heap.subarray(s + lo * seq * seq, s + hi * seq * seq), seq, hi - lo, scale);
}

/**
 * {@linkcode softmaxBackwardRows} as a heap-thread task, in place over `dp`,
 * split over the score matrices: args `[p, dp, seq, matrices, scale]`. On
 * staged rows in SIMD when `seq` is a multiple of 4; there only the causal
 * triangle of `dp` is read.
 *
 * @example
 * ```ts
 * const heap = new Float32Array(2 * 64 * 128 * 128);
 * softmaxBackwardTask(heap, Float64Array.of(0, 1048576, 128, 64, 0.17677669), 0, 1);
 * ```
 */
export function softmaxBackwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [p, dp, seq, matrices, scale] = args;
  const [lo, hi] = partRange(matrices, part, parts);
  if (simdRows(seq)) {
    const arrays = { inputs: [p, dp], outputs: [dp], rowFloats: seq };
    stagedRows(ATTENTION_SIMD, heap, arrays, lo * seq, hi * seq, (simd, b, rows, first) => {
      simd.bwd(b.inputs[0], b.inputs[1], b.outputs[0], rows, first % seq, seq, scale);
    });
    return;
  }
  const size = seq * seq;
  const at = (offset: number) => heap.subarray(offset + lo * size, offset + hi * size);
  softmaxBackwardRows(at(p), at(dp), seq, hi - lo, scale);
}

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const ATTENTION_TASKS = {
  softmaxCausal: softmaxCausalTask,
  softmaxBackward: softmaxBackwardTask,
  attentionForward: attentionForwardTask,
  attentionBackward: attentionBackwardTask,
} satisfies Record<string, HeapTask>;
