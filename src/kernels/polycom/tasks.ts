/**
 * The PolyNorm and PolyReLU SIMD passes as heap-thread tasks. Part 0 runs on
 * the calling thread in place on the tfjs heap, with the SIMD module bound
 * there ({@linkcode setInPlaceSimd}); a worker cannot bind a WebAssembly
 * instance to that memory (tfjs's memory is not shared), so its parts copy
 * blocks of rows into a memory of the worker's own, run the same module on
 * them and copy the results back. Each row is computed by the same code
 * either way, so dx and the outputs do not depend on the thread count; the
 * coefficient gradient is summed per block of rows (blocks fixed by the
 * shape, `../parallel/reduce.ts`) and the blocks added in order by the
 * caller, so it does not either.
 *
 * Arguments are float32 element offsets into the heap:
 * - `polyNormForward`: `[x, out, rows, n, a, count, eps]`
 * - `polyNormBackward`: `[dy, x, dx, rows, n, a, count, eps]`
 * - `polyReLUForward`: `[x, out, size, a, count]`
 * - `polyReLUBackward`: `[dy, x, dx, size, a, count]`
 * @module
 */
import type { HeapTask } from "../parallel/task.ts";
import { forEachBlock, reductionBlocks } from "../parallel/reduce.ts";
import { partRange } from "../parallel/task.ts";
import { SCRATCH } from "./_simd_module.ts";
import {
  type PolycomSimd,
  polycomSimdOn,
  simdPolyNormBackward,
  simdPolyNormForward,
  simdPolyReLUBackward,
  simdPolyReLUForward,
} from "./_simd.ts";

let inPlace: PolycomSimd | null = null;

/**
 * The SIMD module bound to the calling thread's heap, for part 0 of the next
 * tasks (set by the kernel before it runs one).
 *
 * @example
 * ```ts
 * import { type EmscriptenModuleLike, polycomSimdFor } from "./_simd.ts";
 * declare const backend: { wasm: EmscriptenModuleLike };
 * setInPlaceSimd(polycomSimdFor(backend.wasm));
 * ```
 */
export function setInPlaceSimd(simd: PolycomSimd | null): void {
  inPlace = simd;
}

/** Floats per staged block of each array (fits in a core's L2 with its siblings). */
const BLOCK_FLOATS = 1 << 15;
const SCRATCH_FLOATS = Math.ceil(SCRATCH.bytes / 64) * 16;

let stage: { simd: PolycomSimd; floats: Float32Array } | null = null;

/** This thread's staging memory with room for `arrays` blocks of `floats` each (scratch first). */
function staging(arrays: number, floats: number): { simd: PolycomSimd; floats: Float32Array } {
  const need = (SCRATCH_FLOATS + arrays * floats) * 4;
  if (!stage || stage.floats.byteLength < need) {
    const memory = new WebAssembly.Memory({ initial: Math.ceil(need / 65536) });
    const simd = polycomSimdOn(memory);
    if (!simd) throw new Error("PolyCom task without wasm SIMD");
    stage = { simd, floats: new Float32Array(memory.buffer) };
  }
  return stage;
}

const block = (k: number, floats: number) => SCRATCH_FLOATS + k * floats;

function coefficients(heap: Float32Array, a: number, count: number): Float64Array {
  return Float64Array.from(heap.subarray(a, a + count));
}

/** PolyNorm forward over part `part` of the rows. */
export function polyNormForwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [x, out, rows, n, a, count, eps] = args;
  const [lo, hi] = partRange(rows, part, parts);
  if (lo === hi) return;
  const coeffs = coefficients(heap, a, count);
  if (part === 0 && inPlace) {
    simdPolyNormForward(inPlace, (x + lo * n) * 4, (out + lo * n) * 4, (hi - lo) * n, n, coeffs, eps);
    return;
  }
  const step = Math.max(1, Math.floor(BLOCK_FLOATS / n));
  const { simd, floats } = staging(2, step * n);
  const [bx, bo] = [block(0, step * n), block(1, step * n)];
  for (let r = lo; r < hi; r += step) {
    const len = (Math.min(hi, r + step) - r) * n;
    floats.set(heap.subarray(x + r * n, x + r * n + len), bx);
    simdPolyNormForward(simd, bx * 4, bo * 4, len, n, coeffs, eps);
    heap.set(floats.subarray(bo, bo + len), out + r * n);
  }
}

/** Elements per block of PolyReLU's coefficient-gradient sums. */
export const RELU_BLOCK = 1 << 14;

/** The blocks PolyNorm's backward sums da over (rows). */
export const polyNormBlocks = (rows: number, count: number) => reductionBlocks(rows, count);
/** The blocks PolyReLU's backward sums da over (elements). */
export const polyReLUBlocks = (size: number, count: number) => reductionBlocks(size, count, RELU_BLOCK);

/** PolyNorm backward over part `part`'s blocks of rows; each block's da in its `count` result slots. */
export const polyNormBackwardTask: HeapTask = (heap, args, part, parts, results) => {
  const [dy, x, dx, rows, n, a, count, eps] = args;
  const coeffs = coefficients(heap, a, count);
  const blocks = polyNormBlocks(rows, count);
  forEachBlock(blocks, rows, count, part, parts, results, (first, end, da) => {
    const len = (end - first) * n;
    if (part === 0 && inPlace) {
      const at = (offset: number) => (offset + first * n) * 4;
      simdPolyNormBackward(inPlace, at(dy), at(x), at(dx), len, n, coeffs, eps, da);
      return;
    }
    const { simd, floats } = staging(3, blocks.size * n);
    const [bg, bx, bd] = [0, 1, 2].map((k) => block(k, blocks.size * n));
    floats.set(heap.subarray(dy + first * n, dy + first * n + len), bg);
    floats.set(heap.subarray(x + first * n, x + first * n + len), bx);
    simdPolyNormBackward(simd, bg * 4, bx * 4, bd * 4, len, n, coeffs, eps, da);
    heap.set(floats.subarray(bd, bd + len), dx + first * n);
  });
};

/** PolyReLU forward over part `part` of the elements. */
export function polyReLUForwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [x, out, size, a, count] = args;
  const [lo, hi] = partRange(size, part, parts, 16);
  if (lo === hi) return;
  const coeffs = coefficients(heap, a, count);
  if (part === 0 && inPlace) {
    simdPolyReLUForward(inPlace, (x + lo) * 4, (out + lo) * 4, hi - lo, coeffs);
    return;
  }
  const { simd, floats } = staging(2, BLOCK_FLOATS);
  const [bx, bo] = [block(0, BLOCK_FLOATS), block(1, BLOCK_FLOATS)];
  for (let i = lo; i < hi; i += BLOCK_FLOATS) {
    const len = Math.min(hi, i + BLOCK_FLOATS) - i;
    floats.set(heap.subarray(x + i, x + i + len), bx);
    simdPolyReLUForward(simd, bx * 4, bo * 4, len, coeffs);
    heap.set(floats.subarray(bo, bo + len), out + i);
  }
}

/** PolyReLU backward over part `part`'s blocks of elements; each block's da in its `count` result slots. */
export const polyReLUBackwardTask: HeapTask = (heap, args, part, parts, results) => {
  const [dy, x, dx, size, a, count] = args;
  const coeffs = coefficients(heap, a, count);
  const blocks = polyReLUBlocks(size, count);
  forEachBlock(blocks, size, count, part, parts, results, (first, end, da) => {
    const len = end - first;
    if (part === 0 && inPlace) {
      simdPolyReLUBackward(inPlace, (dy + first) * 4, (x + first) * 4, (dx + first) * 4, len, coeffs, da);
      return;
    }
    const { simd, floats } = staging(3, blocks.size);
    const [bg, bx, bd] = [0, 1, 2].map((k) => block(k, blocks.size));
    floats.set(heap.subarray(dy + first, dy + first + len), bg);
    floats.set(heap.subarray(x + first, x + first + len), bx);
    simdPolyReLUBackward(simd, bg * 4, bx * 4, bd * 4, len, coeffs, da);
    heap.set(floats.subarray(bd, bd + len), dx + first);
  });
};

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const POLYCOM_TASKS = {
  polyNormForward: polyNormForwardTask,
  polyNormBackward: polyNormBackwardTask,
  polyReLUForward: polyReLUForwardTask,
  polyReLUBackward: polyReLUBackwardTask,
} satisfies Record<string, HeapTask>;
