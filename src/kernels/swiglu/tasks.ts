/**
 * swiglu heap-thread tasks (see `../parallel/tasks.ts`).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import { partRange } from "../parallel/task.ts";
import { stagedRows } from "../_wasm/staged.ts";
import { SWIGLU_SIMD } from "./_simd_module.ts";
import { sigmoidInto, swigluBackwardInto, swigluForwardInto } from "./math.ts";
import type { HeapTask } from "../parallel/task.ts";

/** Floats per staged block of each array (4 or 6 arrays of 16 KiB: well inside a core's L2). */
const BLOCK_FLOATS = 4096;

/**
 * The arrays of a task as rows of one float, staged {@linkcode BLOCK_FLOATS}
 * at a time: any element count works, the SIMD pass rounding the last block
 * up to whole quads.
 */
const flat = (inputs: number[], outputs: number[]) => ({ inputs, outputs, rowFloats: 1, blockRows: BLOCK_FLOATS });

const quadsOf = (floats: number) => Math.ceil(floats / 4) * 4;

/**
 * σ(g) into `s` and {@linkcode swigluForwardInto} as a heap-thread task: args
 * `[g, u, s, out, n]` (element offsets into the heap and the element count;
 * `s` and `out` are written).
 *
 * @example
 * ```ts
 * const heap = new Float32Array(32); // g, u, s, out: 8 elements each
 * swigluForwardTask(heap, Float64Array.of(0, 8, 16, 24, 8), 0, 1);
 * ```
 */
export function swigluForwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [g, u, s, out, n] = args;
  const [lo, hi] = partRange(n, part, parts, 16);
  if (lo === hi) return;
  const simd = stagedRows(SWIGLU_SIMD, heap, flat([g, u], [s, out]), lo, hi, (e, b, floats) => {
    e.fwd(b.inputs[0], b.inputs[1], b.outputs[0], b.outputs[1], quadsOf(floats));
  });
  if (simd) return;
  const at = (offset: number) => heap.subarray(offset + lo, offset + hi);
  sigmoidInto(at(g), at(s));
  swigluForwardInto(at(g), at(u), at(s), at(out));
}

/**
 * {@linkcode swigluBackwardInto} as a heap-thread task: args
 * `[dy, g, u, s, dg, du, n]`.
 *
 * @example
 * ```ts
 * const heap = new Float32Array(48); // dy, g, u, s, dg, du: 8 elements each
 * swigluBackwardTask(heap, Float64Array.of(0, 8, 16, 24, 32, 40, 8), 0, 1);
 * ```
 */
export function swigluBackwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [dy, g, u, s, dg, du, n] = args;
  const [lo, hi] = partRange(n, part, parts, 16);
  if (lo === hi) return;
  const simd = stagedRows(SWIGLU_SIMD, heap, flat([dy, g, u, s], [dg, du]), lo, hi, (e, b, floats) => {
    const [pdy, pg, pu, ps] = b.inputs;
    e.bwd(pdy, pg, pu, ps, b.outputs[0], b.outputs[1], quadsOf(floats));
  });
  if (simd) return;
  const at = (offset: number) => heap.subarray(offset + lo, offset + hi);
  swigluBackwardInto(at(dy), at(g), at(u), at(s), at(dg), at(du));
}

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const SWIGLU_TASKS = {
  swigluForward: swigluForwardTask,
  swigluBackward: swigluBackwardTask,
} satisfies Record<string, HeapTask>;
