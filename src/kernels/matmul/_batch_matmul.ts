/**
 * Batched, broadcasting, optionally transposed matmul on top of
 * {@linkcode WasmGemm}: the semantics of tfjs's `BatchMatMul` kernel.
 * @module
 */
import type { WasmGemm } from "./gemm.ts";

/** Shapes and loop structure of one `BatchMatMul` call. */
export interface BatchMatMulPlan {
  outShape: number[];
  m: number;
  k: number;
  n: number;
  /** Rows of A in the (possibly folded) GEMM: `m`, or `batch·m` when B is shared and A is not transposed. */
  foldedM: number;
  /** For each output matrix, the index of its A and B matrices; one entry when folded. */
  pairs: [number, number][];
  transposeA: boolean;
  transposeB: boolean;
}

function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`matMul batch dimensions [${a}] and [${b}] cannot be broadcast`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Index into a (broadcast) operand for each position of the output batch. */
function batchIndices(outer: readonly number[], outBatch: readonly number[]): number[] {
  const total = outBatch.reduce((p, d) => p * d, 1);
  const offset = outBatch.length - outer.length;
  const strides: number[] = new Array(outer.length).fill(0);
  let s = 1;
  for (let i = outer.length - 1; i >= 0; i--) {
    strides[i] = outer[i] === 1 ? 0 : s;
    s *= outer[i];
  }
  const result: number[] = [];
  for (let flat = 0; flat < total; flat++) {
    let rem = flat, idx = 0;
    for (let d = outBatch.length - 1; d >= 0; d--) {
      const coord = rem % outBatch[d];
      rem = Math.floor(rem / outBatch[d]);
      if (d >= offset) idx += coord * strides[d - offset];
    }
    result.push(idx);
  }
  return result;
}

/**
 * Works out the output shape and the GEMMs of a `BatchMatMul`.
 *
 * @example
 * ```ts
 * const plan = planBatchMatMul([2, 3, 4], [4, 5], false, false);
 * console.log(plan.outShape, plan.foldedM); // [2, 3, 5] 6
 * ```
 */
export function planBatchMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): BatchMatMulPlan {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new Error(`matMul needs rank >= 2 operands, got [${aShape}] and [${bShape}]`);
  }
  const ra = aShape.length, rb = bShape.length;
  const m = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const k = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const kb = transposeB ? bShape[rb - 1] : bShape[rb - 2];
  const n = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  if (k !== kb) {
    throw new Error(
      `matMul inner dimensions differ: [${aShape}]${transposeA ? "ᵀ" : ""} · [${bShape}]${transposeB ? "ᵀ" : ""}`,
    );
  }
  const outerA = aShape.slice(0, -2), outerB = bShape.slice(0, -2);
  const outBatch = broadcastShapes(outerA, outerB);
  const outShape = [...outBatch, m, n];
  const batchB = outerB.reduce((p, d) => p * d, 1);
  const batchA = outerA.reduce((p, d) => p * d, 1);
  const batch = outBatch.reduce((p, d) => p * d, 1);
  if (batchB === 1 && !transposeA && batchA === batch) {
    // B is shared and A's rows are contiguous across the batch: one tall GEMM.
    return { outShape, m, k, n, foldedM: batch * m, pairs: [[0, 0]], transposeA, transposeB };
  }
  const ia = batchIndices(outerA, outBatch), ib = batchIndices(outerB, outBatch);
  return { outShape, m, k, n, foldedM: m, pairs: ia.map((a, i) => [a, ib[i]]), transposeA, transposeB };
}

/** Scratch bytes {@linkcode runBatchMatMul} needs for a plan. */
export function batchMatMulScratchBytes(gemm: WasmGemm, plan: BatchMatMulPlan): number {
  return gemm.scratchBytes(plan.foldedM, plan.k, plan.n);
}

/**
 * Runs a plan on operands stored contiguously (row-major) at byte offsets
 * `a`, `b` of the GEMM's memory, writing the output at `out`.
 *
 * @example
 * ```ts
 * // see tests/kernels/gemm_test.ts for a full example
 * ```
 */
export function runBatchMatMul(
  gemm: WasmGemm,
  plan: BatchMatMulPlan,
  a: number,
  b: number,
  out: number,
  scratch: number,
): void {
  runBatchMatMulPart(gemm, plan, a, b, out, scratch, 0, 1);
}

/**
 * Part `part` of `parts` of a plan, for running it on several threads that
 * share the memory: whole output matrices are split between the parts when
 * there are enough of them, otherwise rows of each (in micro-tile multiples).
 * Each part needs its own `scratch` of {@linkcode batchMatMulScratchBytes}.
 *
 * @example
 * ```ts
 * // thread t of 2: runBatchMatMulPart(gemm, plan, a, b, out, scratchOf(t), t, 2);
 * ```
 */
export function runBatchMatMulPart(
  gemm: WasmGemm,
  plan: BatchMatMulPlan,
  a: number,
  b: number,
  out: number,
  scratch: number,
  part: number,
  parts: number,
): void {
  const { m, k, n, foldedM, transposeA, transposeB, pairs } = plan;
  if (foldedM * n === 0) return;
  const byPairs = pairs.length >= parts;
  const p0 = byPairs ? Math.floor(part * pairs.length / parts) : 0;
  const p1 = byPairs ? Math.floor((part + 1) * pairs.length / parts) : pairs.length;
  let r0 = 0, r1 = foldedM;
  if (!byPairs) {
    const { mr } = gemm.shape;
    const tiles = Math.ceil(foldedM / mr);
    r0 = Math.min(foldedM, Math.floor(part * tiles / parts) * mr);
    r1 = Math.min(foldedM, Math.floor((part + 1) * tiles / parts) * mr);
  }
  const rows = r1 - r0;
  if (rows <= 0 || p1 <= p0) return;
  let lastA = -1, lastB = -1;
  for (let i = p0; i < p1; i++) {
    const [ia, ib] = pairs[i];
    if (ia !== lastA) {
      const base = a + ia * m * k * 4;
      gemm.packA(
        transposeA
          ? { ptr: base + r0 * 4, rowStride: 1, colStride: m }
          : { ptr: base + r0 * k * 4, rowStride: k, colStride: 1 },
        rows,
        k,
        scratch,
      );
      lastA = ia;
    }
    if (ib !== lastB) {
      const ptr = b + ib * k * n * 4;
      gemm.packB(
        transposeB ? { ptr, rowStride: 1, colStride: k } : { ptr, rowStride: n, colStride: 1 },
        rows,
        k,
        n,
        scratch,
      );
      lastB = ib;
    }
    gemm.multiplyPacked(out + (i * foldedM + r0) * n * 4, rows, k, n, scratch);
  }
}
