/**
 * `BatchMatMul` on webgpu through {@linkcode TiledMatMulProgram} (float32;
 * other cases, such as broadcasts that neither share nor batch an operand,
 * go to tfjs's own kernel). `installFastKernels` (`../install.ts`) swaps it in.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import type { Uniform, WebGPUBackendLike } from "../fused/mod.ts";
import { planBatchMatMul } from "./_batch_matmul.ts";
import { type MatMulShape, TiledMatMulProgram } from "./_webgpu_programs.ts";

/**
 * The program's shape for a `BatchMatMul`, or null when it needs tfjs's kernel.
 *
 * @example
 * ```ts
 * tiledMatMulShape([2, 8, 4], [4, 5], false, false); // { batch: 1, m: 16, ... } (B shared: one tall product)
 * ```
 */
export function tiledMatMulShape(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulShape | null {
  const plan = planBatchMatMul(aShape, bShape, transposeA, transposeB);
  if (plan.foldedM * plan.n * plan.k === 0) return null;
  const batch = plan.pairs.length;
  const step = (side: 0 | 1) => batch > 1 ? plan.pairs[1][side] - plan.pairs[0][side] : 0;
  const [stepA, stepB] = [step(0), step(1)];
  const regular = stepA <= 1 && stepB <= 1 && plan.pairs.every(([a, b], i) => a === i * stepA && b === i * stepB);
  if (!regular) return null;
  return {
    batch,
    m: plan.foldedM,
    n: plan.n,
    k: plan.k,
    transposeA,
    transposeB,
    batchedA: stepA === 1,
    batchedB: stepB === 1,
  };
}

/**
 * The replacement `BatchMatMul` kernel for webgpu, falling back to `original`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const kernel = webgpuBatchMatMul(tf.getKernel("BatchMatMul", "webgpu")!.kernelFunc);
 * ```
 */
export function webgpuBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== "float32" || b.dtype !== "float32") return original(args);
    let shape: MatMulShape | null;
    try {
      shape = tiledMatMulShape(a.shape, b.shape, transposeA, transposeB);
    } catch {
      // tfjs's kernel raises its own error for shapes that do not multiply.
      return original(args);
    }
    if (!shape) return original(args);
    const backend = args.backend as unknown as WebGPUBackendLike;
    const uniforms: Uniform[] = [shape.m, shape.n, shape.k].map((x) => ({ type: "int32", data: [x] }));
    const out = backend.runWebGPUProgram(new TiledMatMulProgram(shape), [a, b], "float32", uniforms);
    const outShape = planBatchMatMul(a.shape, b.shape, transposeA, transposeB).outShape;
    return { dataId: out.dataId, shape: outShape, dtype: "float32" };
  };
}
