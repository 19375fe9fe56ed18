/**
 * The GEMMs as pool tasks: the native BLAS's (a batched plan's products split
 * over the parts by output matrix, and one large product cut into blocks
 * fixed by its shape) and the wasm SIMD GEMM's (a plan over the pool's own
 * memory, see `./_gemm_job.ts`).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import { nativeBlas } from "./native_blas.ts";
import { type BatchMatMulPlan, runBatchMatMulPart } from "./_batch_matmul.ts";
import type { GemmShape } from "./_gemm_module.ts";
import { WasmGemm } from "./gemm.ts";
import { partRange } from "../parallel/task.ts";
import type { HeapTask } from "../parallel/task.ts";

/** Task arguments of {@linkcode sgemmPairsTask} before the pair list. */
export const SGEMM_TASK_HEAD = 9;

/**
 * The GEMMs of a batched plan as a heap-thread task, each part taking a run
 * of the output matrices, every GEMM on the calling thread's BLAS call (the
 * caller sets the BLAS to one thread: the threads are the parts). Args
 * `[transposeA, transposeB, foldedM, n, k, m, a, b, out]` then `[ia, ib]` per
 * output matrix.
 *
 * @example
 * ```ts
 * declare const heap: Float32Array, a: number, b: number, out: number; // element offsets
 * sgemmPairsTask(heap, Float64Array.of(0, 1, 128, 128, 32, 128, a, b, out, 0, 0, 1, 1), 0, 1);
 * ```
 */
export function sgemmPairsTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const blas = nativeBlas();
  if (!blas) throw new Error("sgemm task without a native BLAS");
  const [transposeA, transposeB, foldedM, n, k, m, a, b, out] = args;
  const pairs = (args.length - SGEMM_TASK_HEAD) >> 1;
  const [lo, hi] = partRange(pairs, part, parts);
  for (let i = lo; i < hi; i++) {
    const ia = args[SGEMM_TASK_HEAD + 2 * i], ib = args[SGEMM_TASK_HEAD + 2 * i + 1];
    blas.sgemm(
      transposeA === 1,
      transposeB === 1,
      foldedM,
      n,
      k,
      heap,
      a + ia * m * k,
      heap,
      b + ib * k * n,
      heap,
      out + i * foldedM * n,
    );
  }
}

/** The most blocks a cut GEMM has (the default thread cap: every thread gets a block). */
export const MAX_GEMM_BLOCKS = 8;
/** The fewest rows (or columns) a block of a cut GEMM has. */
export const MIN_GEMM_BLOCK = 64;

/**
 * How many blocks a GEMM with `extent` rows (or columns) along its cut axis is
 * computed in: a function of the shape alone, never of the thread count, so a
 * product gives the same bits on any number of threads whatever the BLAS does
 * inside one call (OpenBLAS's kernels sum an element in an order that depends
 * on where its tile falls: its edge tiles, and on some cores a direct or
 * small-matrix kernel below a size, sum differently).
 *
 * @example
 * ```ts
 * gemmBlocks(2048); // 8
 * gemmBlocks(100); // 1
 * ```
 */
export function gemmBlocks(extent: number): number {
  return Math.max(1, Math.min(MAX_GEMM_BLOCKS, Math.floor(extent / MIN_GEMM_BLOCK)));
}

/**
 * One GEMM as a heap-thread task, cut into the {@linkcode gemmBlocks} blocks
 * of C's rows (`axis` 0) or columns (`axis` 1) that its shape fixes, each
 * computed by one call of the calling thread's BLAS (the caller sets the BLAS
 * to one thread); each part takes a contiguous run of blocks. Args
 * `[transposeA, transposeB, m, n, k, a, b, c, axis]` (element offsets of the
 * whole matrices).
 *
 * @example
 * ```ts
 * declare const heap: Float32Array, a: number, b: number, c: number; // element offsets
 * sgemmSplitTask(heap, Float64Array.of(0, 0, 2048, 128, 128, a, b, c, 0), 0, 2);
 * ```
 */
export function sgemmSplitTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const blas = nativeBlas();
  if (!blas) throw new Error("sgemm task without a native BLAS");
  const [ta, tb, m, n, k, a, b, c, axis] = args;
  const transposeA = ta === 1, transposeB = tb === 1;
  const ld = [transposeA ? m : k, transposeB ? k : n, n] as const;
  const extent = axis === 0 ? m : n, blocks = gemmBlocks(extent);
  const [first, end] = partRange(blocks, part, parts);
  for (let block = first; block < end; block++) {
    const [lo, hi] = partRange(extent, block, blocks, 16);
    if (lo === hi) continue;
    if (axis === 0) {
      const aAt = a + (transposeA ? lo : lo * k);
      blas.sgemm(transposeA, transposeB, hi - lo, n, k, heap, aAt, heap, b, heap, c + lo * n, false, ld);
    } else {
      const bAt = b + (transposeB ? lo * k : lo);
      blas.sgemm(transposeA, transposeB, m, hi - lo, k, heap, a, heap, bAt, heap, c + lo, false, ld);
    }
  }
}

/** Where a wasm GEMM job's operands, pair list and per-thread scratch lie in the pool's memory (byte offsets). */
export interface GemmJobLayout {
  a: number;
  b: number;
  out: number;
  /** `[ia, ib]` as Int32 pairs, `plan.pairs.length` of them. */
  pairs: number;
  /** Thread `t`'s scratch starts at `scratchBase + t · scratchStride`. */
  scratchBase: number;
  scratchStride: number;
}

/**
 * The arguments of {@linkcode wasmGemmTask}: the tile shape, the layout and
 * the plan's sizes (its pairs are in the heap at `layout.pairs`).
 *
 * @example
 * ```ts
 * import { planBatchMatMul } from "./_batch_matmul.ts";
 * import { DEFAULT_GEMM_SHAPE } from "./_gemm_module.ts";
 * const plan = planBatchMatMul([64, 32], [32, 48], false, false);
 * const layout = { a: 0, b: 8192, out: 14336, pairs: 26624, scratchBase: 26688, scratchStride: 32768 };
 * console.log(wasmGemmArgs(DEFAULT_GEMM_SHAPE, plan, layout).length); // 17
 * ```
 */
export function wasmGemmArgs(shape: GemmShape, plan: BatchMatMulPlan, layout: GemmJobLayout): number[] {
  const { m, k, n, foldedM, transposeA, transposeB, pairs } = plan;
  return [
    shape.mr,
    shape.nr,
    shape.unroll,
    shape.relaxed ? 1 : 0,
    m,
    k,
    n,
    foldedM,
    transposeA ? 1 : 0,
    transposeB ? 1 : 0,
    pairs.length,
    layout.a,
    layout.b,
    layout.out,
    layout.pairs,
    layout.scratchBase,
    layout.scratchStride,
  ];
}

/** Each thread's SIMD GEMM per memory and tile shape, instantiated once (a job is far shorter than compiling). */
const gemms = new WeakMap<WebAssembly.Memory, Map<string, WasmGemm>>();

/**
 * This thread's SIMD GEMM over `memory` with the tile `shape`.
 *
 * @example
 * ```ts
 * import { DEFAULT_GEMM_SHAPE } from "./_gemm_module.ts";
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
 * console.log(gemmFor(memory, DEFAULT_GEMM_SHAPE).shape.mr); // 6
 * ```
 */
export function gemmFor(memory: WebAssembly.Memory, shape: GemmShape): WasmGemm {
  let byShape = gemms.get(memory);
  if (!byShape) gemms.set(memory, byShape = new Map());
  const key = `${shape.mr}x${shape.nr}u${shape.unroll}${shape.relaxed ? "r" : ""}`;
  let gemm = byShape.get(key);
  if (!gemm) byShape.set(key, gemm = new WasmGemm(memory, shape));
  return gemm;
}

/**
 * Part `part` of a `BatchMatMul` plan on the wasm SIMD GEMM, over a memory
 * this thread holds (the pool's own): whole output matrices per part when
 * there are enough, else row blocks in micro-tile multiples (see
 * `runBatchMatMulPart`), each part in its own scratch. Args: {@linkcode wasmGemmArgs}.
 *
 * @example
 * ```ts
 * declare const memory: WebAssembly.Memory, args: Float64Array; // from wasmGemmArgs
 * wasmGemmTask(new Float32Array(memory.buffer), args, 0, 1, new Float64Array(1), memory);
 * ```
 */
export function wasmGemmTask(
  heap: Float32Array,
  args: Float64Array,
  part: number,
  parts: number,
  _results: Float64Array,
  memory?: WebAssembly.Memory,
): void {
  if (!memory) throw new Error("wasmGemm runs over a memory this thread holds (the pool's own)");
  const [mr, nr, unroll, relaxed, m, k, n, foldedM, ta, tb, pairCount, a, b, out, pairsAt, base, stride] = args;
  const gemm = gemmFor(memory, { mr, nr, unroll, relaxed: relaxed === 1 });
  const ints = new Int32Array(heap.buffer, heap.byteOffset + pairsAt, 2 * pairCount);
  const pairs: [number, number][] = [];
  for (let i = 0; i < pairCount; i++) pairs.push([ints[2 * i], ints[2 * i + 1]]);
  const plan = { outShape: [], m, k, n, foldedM, pairs, transposeA: ta === 1, transposeB: tb === 1 };
  runBatchMatMulPart(gemm, plan, a, b, out, base + part * stride, part, parts);
}

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const MATMUL_TASKS = {
  sgemmPairs: sgemmPairsTask,
  sgemmSplit: sgemmSplitTask,
  wasmGemm: wasmGemmTask,
} satisfies Record<string, HeapTask>;
