/**
 * A {@linkcode BatchMatMulPlan} run by the native BLAS: one `sgemm` per
 * output matrix (one in all when the batch folds into a tall product), on
 * the operands where they lie.
 * @module
 */
import type { BatchMatMulPlan } from "./_batch_matmul.ts";
import type { NativeBlas } from "./native_blas.ts";

/** A float32 operand: an array and the element offset of its first value in it. */
export interface Operand {
  data: Float32Array;
  offset: number;
}

/**
 * Runs `plan` with A, B and the output stored contiguously (row-major) at
 * their offsets.
 *
 * @example
 * ```ts
 * import { planBatchMatMul } from "./_batch_matmul.ts";
 * import { nativeBlas } from "./native_blas.ts";
 * const plan = planBatchMatMul([2, 3], [3, 2], false, false);
 * const a = Float32Array.of(1, 2, 3, 4, 5, 6), b = Float32Array.of(1, 0, 0, 1, 1, 1);
 * const out = new Float32Array(4);
 * const blas = nativeBlas();
 * if (blas) runNativeBatchMatMul(blas, plan, { data: a, offset: 0 }, { data: b, offset: 0 }, { data: out, offset: 0 });
 * ```
 */
export function runNativeBatchMatMul(
  blas: NativeBlas,
  plan: BatchMatMulPlan,
  a: Operand,
  b: Operand,
  out: Operand,
): void {
  const { m, k, n, foldedM, transposeA, transposeB, pairs } = plan;
  for (let i = 0; i < pairs.length; i++) {
    const [ia, ib] = pairs[i];
    blas.sgemm(
      transposeA,
      transposeB,
      foldedM,
      n,
      k,
      a.data,
      a.offset + ia * m * k,
      b.data,
      b.offset + ib * k * n,
      out.data,
      out.offset + i * foldedM * n,
    );
  }
}
