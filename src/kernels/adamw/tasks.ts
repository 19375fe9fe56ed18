/**
 * adamw heap-thread tasks (see `../parallel/tasks.ts`).
 *
 * Imported by the workers: nothing here may load tfjs.
 * @module
 */
import { partRange } from "../parallel/task.ts";
import { stagedRows } from "../_wasm/staged.ts";
import { ADAMW_SIMD, type AdamWSimdConstants } from "./_simd_module.ts";
import { type AdamWConstants, adamwUpdate } from "./math.ts";
import type { HeapTask } from "../parallel/task.ts";

/** Task arguments per parameter in {@linkcode adamwTask}. */
export const ADAMW_TASK_STRIDE = 9;
/** Task arguments before the first parameter: the constants. */
export const ADAMW_TASK_HEAD = 8;

/** Floats per staged block of each array (seven arrays of 16 KiB: well inside a core's L2). */
const BLOCK_FLOATS = 4096;

/**
 * {@linkcode adamwUpdate} over several parameters as a heap-thread task,
 * each part taking its slice of every parameter. Args: the constants
 * `[b1, b1c, b2, b2c, bc2, eps, step, decay]`, then per parameter
 * `[p, g, m, v, pOut, mOut, vOut, n, decays]` (element offsets; `g` −1 for a
 * zero gradient; `decays` 1 or 0). The update runs in SIMD on staged blocks
 * (`./_simd_module.ts`, the same bits), or as the JavaScript loop where the
 * runtime has no wasm SIMD.
 *
 * @example
 * ```ts
 * import { adamwConstants } from "./math.ts";
 * const c = adamwConstants([0.9, 0.95], 1e-8, 0.1, 1e-3, 1);
 * const head = [c.b1, c.b1c, c.b2, c.b2c, c.bc2, c.eps, c.step, c.decay];
 * const heap = new Float32Array(256); // p, g, m, v: 64 elements each, updated in place
 * adamwTask(heap, Float64Array.of(...head, 0, 64, 128, 192, 0, 128, 192, 64, 1), 0, 1);
 * ```
 */
export function adamwTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [b1, b1c, b2, b2c, bc2, eps, step, decay] = args;
  const c: AdamWConstants = { b1, b1c, b2, b2c, bc2, eps, step, decay };
  for (let at = ADAMW_TASK_HEAD; at + ADAMW_TASK_STRIDE <= args.length; at += ADAMW_TASK_STRIDE) {
    const [p, g, m, v, pOut, mOut, vOut, n, decays] = args.subarray(at, at + ADAMW_TASK_STRIDE);
    const [lo, hi] = partRange(n, part, parts, 16);
    if (lo === hi) continue;
    const k: AdamWSimdConstants = [b1, b1c, b2, b2c, bc2, eps, step, decays === 1 ? decay : 1];
    // Rows of one float, so any size stages; the last block is rounded up to whole quads.
    const arrays = { inputs: g < 0 ? [p, m, v] : [p, g, m, v], outputs: [pOut, mOut, vOut], rowFloats: 1 };
    const simd = stagedRows(ADAMW_SIMD, heap, { ...arrays, blockRows: BLOCK_FLOATS }, lo, hi, (e, b, floats) => {
      const [po, mo, vo] = b.outputs, quads = Math.ceil(floats / 4) * 4;
      if (g < 0) e.still(b.inputs[0], b.inputs[1], b.inputs[2], po, mo, vo, quads, ...k);
      else e.step(b.inputs[0], b.inputs[1], b.inputs[2], b.inputs[3], po, mo, vo, quads, ...k);
    });
    if (simd) continue;
    const view = (offset: number) => heap.subarray(offset + lo, offset + hi);
    adamwUpdate(view(p), g < 0 ? null : view(g), view(m), view(v), view(pOut), view(mOut), view(vOut), c, decays === 1);
  }
}

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const ADAMW_TASKS = {
  adamw: adamwTask,
} satisfies Record<string, HeapTask>;
