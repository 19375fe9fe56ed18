/**
 * The control block that the GEMM threads share: where the main thread
 * writes a job and the workers report completion, as Int32 slots at the start
 * of the shared memory.
 * @module
 */
import type { BatchMatMulPlan } from "./_batch_matmul.ts";

/** Int32 slots of the control block. */
export const SLOT = {
  /** Job counter; workers wait for it to change. A negative value asks them to exit. */
  seq: 0,
  a: 2,
  b: 3,
  out: 4,
  m: 5,
  k: 6,
  n: 7,
  foldedM: 8,
  transposeA: 9,
  transposeB: 10,
  pairs: 11,
  pairCount: 12,
  parts: 13,
  scratchBase: 14,
  scratchStride: 15,
  /** `done + t`: the last job worker `t` finished. */
  done: 16,
  /** `failed + t`: non-zero when worker `t`'s last job threw. */
  failed: 48,
  /** `ready + t`: set once worker `t` has instantiated its kernels. */
  ready: 80,
} as const;

/** Bytes reserved for the control block at offset 0 of the shared memory. */
export const CONTROL_BYTES = 512;
/** Most threads a pool may have (bounded by the slots above). */
export const MAX_THREADS = 32;

/** Where a job's operands and scratch live in the shared memory (byte offsets). */
export interface JobLayout {
  a: number;
  b: number;
  out: number;
  pairs: number;
  scratchBase: number;
  scratchStride: number;
}

/**
 * Writes a job's parameters into the control block (everything but `seq`)
 * and its batch pairs at `layout.pairs`.
 *
 * @example
 * ```ts
 * import { planBatchMatMul } from "./_batch_matmul.ts";
 * declare const memory: WebAssembly.Memory, layout: JobLayout;
 * const ctl = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
 * const plan = planBatchMatMul([2, 64, 32], [32, 48], false, false);
 * writeJob(ctl, new Int32Array(memory.buffer), plan, layout, 2);
 * ```
 */
export function writeJob(
  ctl: Int32Array,
  heap: Int32Array,
  plan: BatchMatMulPlan,
  layout: JobLayout,
  parts: number,
): void {
  ctl[SLOT.a] = layout.a;
  ctl[SLOT.b] = layout.b;
  ctl[SLOT.out] = layout.out;
  ctl[SLOT.m] = plan.m;
  ctl[SLOT.k] = plan.k;
  ctl[SLOT.n] = plan.n;
  ctl[SLOT.foldedM] = plan.foldedM;
  ctl[SLOT.transposeA] = plan.transposeA ? 1 : 0;
  ctl[SLOT.transposeB] = plan.transposeB ? 1 : 0;
  ctl[SLOT.pairs] = layout.pairs;
  ctl[SLOT.pairCount] = plan.pairs.length;
  ctl[SLOT.parts] = parts;
  ctl[SLOT.scratchBase] = layout.scratchBase;
  ctl[SLOT.scratchStride] = layout.scratchStride;
  plan.pairs.forEach(([ia, ib], i) => {
    heap[layout.pairs / 4 + 2 * i] = ia;
    heap[layout.pairs / 4 + 2 * i + 1] = ib;
  });
}

/**
 * Reads back what {@linkcode writeJob} wrote.
 *
 * @example
 * ```ts
 * declare const memory: WebAssembly.Memory;
 * const ctl = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
 * const { plan, layout, parts } = readJob(ctl, new Int32Array(memory.buffer));
 * ```
 */
export function readJob(
  ctl: Int32Array,
  heap: Int32Array,
): { plan: BatchMatMulPlan; layout: JobLayout; parts: number } {
  const m = ctl[SLOT.m], n = ctl[SLOT.n];
  const pairsAt = ctl[SLOT.pairs] / 4;
  const pairs: [number, number][] = [];
  for (let i = 0; i < ctl[SLOT.pairCount]; i++) pairs.push([heap[pairsAt + 2 * i], heap[pairsAt + 2 * i + 1]]);
  return {
    plan: {
      outShape: [],
      m,
      k: ctl[SLOT.k],
      n,
      foldedM: ctl[SLOT.foldedM],
      pairs,
      transposeA: ctl[SLOT.transposeA] === 1,
      transposeB: ctl[SLOT.transposeB] === 1,
    },
    layout: {
      a: ctl[SLOT.a],
      b: ctl[SLOT.b],
      out: ctl[SLOT.out],
      pairs: ctl[SLOT.pairs],
      scratchBase: ctl[SLOT.scratchBase],
      scratchStride: ctl[SLOT.scratchStride],
    },
    parts: ctl[SLOT.parts],
  };
}
