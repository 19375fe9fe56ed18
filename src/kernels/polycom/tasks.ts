/**
 * The PolyNorm and PolyReLU SIMD passes as heap tasks, and the drivers that
 * run the module of `_simd_module.ts` row by row (per-row scalars: norms,
 * coefficients, the unscaled-or-scaled choice, computed in JavaScript with
 * the same code as the `cpu` kernels; the element loops in WebAssembly).
 * Part 0 runs on
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
import { rowCoefficients, rowCount, unscaledOk } from "./math.ts";
import { POLYCOM_SIMD, type PolycomSimdExports, SCRATCH, SIMD_MAX_ORDER } from "./_simd_module.ts";

/** The SIMD module bound to one memory, with its scratch block there. */
export interface PolycomSimd {
  exports: PolycomSimdExports;
  memory: WebAssembly.Memory;
  /** Byte offset of the scratch block. */
  scratch: number;
}

let inPlace: PolycomSimd | null = null;

/**
 * The SIMD module bound to the calling thread's heap, for part 0 of the next
 * tasks (set by the kernel before it runs one).
 *
 * @example
 * ```ts
 * declare const simd: PolycomSimd; // bound to the calling thread's heap
 * setInPlaceSimd(simd);
 * ```
 */
export function setInPlaceSimd(simd: PolycomSimd | null): void {
  inPlace = simd;
}

/** Floats per staged block of each array (fits in a core's L2 with its siblings). */
const BLOCK_FLOATS = 1 << 15;
const SCRATCH_FLOATS = Math.ceil(SCRATCH.bytes / 64) * 16;

/** This thread's staging memory with room for `arrays` blocks of `floats` each (scratch first). */
function staging(arrays: number, floats: number): { simd: PolycomSimd; floats: Float32Array } {
  const stage = POLYCOM_SIMD.staging(SCRATCH_FLOATS + arrays * floats);
  if (!stage) throw new Error("PolyCom task without wasm SIMD");
  return { simd: { exports: stage.exports, memory: stage.memory, scratch: 0 }, floats: stage.floats };
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

/** Mean squares of a row whose output passes may run in float32 (outside it the f64 passes run). */
const F32_MEAN_SQUARE: readonly [number, number] = [1e-6, 1e6];

/**
 * Whether a row's elementwise pass may run in f32x4: unscaled (m = 1) with
 * a moderate mean square, so no power of u nears float32's range or its
 * rounding (the extreme rows keep the f64 pass, tested at |x| up to 1e38).
 */
function ordinaryRow(m: number, sumSquares: number, n: number): boolean {
  const meanSquare = sumSquares / n;
  return m === 1 && meanSquare >= F32_MEAN_SQUARE[0] && meanSquare <= F32_MEAN_SQUARE[1];
}

function scratchView(simd: PolycomSimd): Float64Array {
  return new Float64Array(simd.memory.buffer, simd.scratch, SCRATCH.bytes / 8);
}

/**
 * PolyNorm forward over [rows, n] float32 at byte offset `x` into `out`.
 *
 * @example
 * ```ts
 * declare const simd: PolycomSimd;
 * declare const xPtr: number, outPtr: number, size: number, n: number;
 * simdPolyNormForward(simd, xPtr, outPtr, size, n, [1, 1, 0.5, 0], 1e-6);
 * ```
 */
export function simdPolyNormForward(
  simd: PolycomSimd,
  x: number,
  out: number,
  size: number,
  n: number,
  a: ArrayLike<number>,
  eps: number,
): void {
  const e = simd.exports;
  const s = simd.scratch;
  const f = scratchView(simd);
  const r = a.length - 1;
  const sqrtEps = Math.sqrt(eps);
  const sums = new Float64Array(r + 1);
  const invD = new Float64Array(r + 1);
  f[SCRATCH.coef(0)] = a[0];
  for (let i = r + 1; i <= SIMD_MAX_ORDER; i++) f[SCRATCH.coef(i)] = 0;
  const rows = rowCount(size, n);
  for (let row = 0; row < rows; row++) {
    const xp = x + row * n * 4;
    let m = 1;
    e.pn_sums(xp, n, 1, s);
    for (let i = 1; i <= r; i++) sums[i] = f[SCRATCH.sum(i)];
    if (!unscaledOk(sums, eps)) {
      m = e.max_abs(xp, n);
      e.pn_sums(xp, n, m > 0 ? 1 / m : 0, s);
      for (let i = 1; i <= r; i++) sums[i] = f[SCRATCH.sum(i)];
    }
    const invm = m > 0 ? 1 / m : 0;
    rowCoefficients(m, sums, n, a, sqrtEps, invD, null);
    for (let i = 1; i <= r; i++) f[SCRATCH.coef(i)] = a[i] * invD[i];
    if (ordinaryRow(m, sums[1], n)) e.pn_out4(xp, out + row * n * 4, n, invm, s);
    else e.pn_out(xp, out + row * n * 4, n, invm, s);
  }
}

/**
 * PolyNorm backward: writes dx at byte offset `dx` and adds da into `da`.
 *
 * @example
 * ```ts
 * declare const simd: PolycomSimd;
 * declare const dyPtr: number, xPtr: number, dxPtr: number, size: number, n: number;
 * const da = new Float64Array(4);
 * simdPolyNormBackward(simd, dyPtr, xPtr, dxPtr, size, n, [1, 1, 0.5, 0], 1e-6, da);
 * ```
 */
export function simdPolyNormBackward(
  simd: PolycomSimd,
  dy: number,
  x: number,
  dx: number,
  size: number,
  n: number,
  a: ArrayLike<number>,
  eps: number,
  da: Float64Array,
): void {
  const e = simd.exports;
  const s = simd.scratch;
  const f = scratchView(simd);
  const r = a.length - 1;
  const sqrtEps = Math.sqrt(eps);
  const sums = new Float64Array(r + 1);
  const invD = new Float64Array(r + 1);
  const back = new Float64Array(r + 1);
  for (let i = r + 1; i <= SIMD_MAX_ORDER; i++) {
    f[SCRATCH.coef(i)] = 0;
    f[SCRATCH.coef(SIMD_MAX_ORDER + i)] = 0;
  }
  const rows = rowCount(size, n);
  for (let row = 0; row < rows; row++) {
    const offset = row * n * 4;
    const xp = x + offset;
    const gp = dy + offset;
    let m = 1;
    e.pn_bsums(gp, xp, n, 1, s);
    for (let i = 1; i <= r; i++) sums[i] = f[SCRATCH.sum(i)];
    if (!(unscaledOk(sums, eps) && Number.isFinite(f[SCRATCH.dot(r)]))) {
      m = e.max_abs(xp, n);
      e.pn_bsums(gp, xp, n, m > 0 ? 1 / m : 0, s);
      for (let i = 1; i <= r; i++) sums[i] = f[SCRATCH.sum(i)];
    }
    const invm = m > 0 ? 1 / m : 0;
    rowCoefficients(m, sums, n, a, sqrtEps, invD, back);
    da[0] += f[SCRATCH.gSum];
    for (let i = 1; i <= r; i++) {
      const dot = f[SCRATCH.dot(i)];
      da[i] += dot * invD[i];
      f[SCRATCH.coef(i)] = back[i];
      f[SCRATCH.coef(SIMD_MAX_ORDER + i)] = back[i] * dot * invD[i] * invD[i] / n;
    }
    if (ordinaryRow(m, sums[1], n)) e.pn_dx4(gp, xp, dx + offset, n, invm, s);
    else e.pn_dx(gp, xp, dx + offset, n, invm, s);
  }
}

/**
 * PolyReLU forward over `size` float32 at byte offset `x`.
 *
 * @example
 * ```ts
 * declare const simd: PolycomSimd;
 * declare const xPtr: number, outPtr: number, size: number;
 * simdPolyReLUForward(simd, xPtr, outPtr, size, [1, 1, 0.5, 0]);
 * ```
 */
export function simdPolyReLUForward(simd: PolycomSimd, x: number, out: number, size: number, a: ArrayLike<number>) {
  const f = scratchView(simd);
  const r = a.length - 1;
  for (let i = 0; i <= SIMD_MAX_ORDER; i++) f[SCRATCH.coef(i)] = i <= r ? a[i] : 0;
  simd.exports.pr_fwd(x, out, size, simd.scratch);
}

/**
 * PolyReLU backward: writes dx and adds da into `da`.
 *
 * @example
 * ```ts
 * declare const simd: PolycomSimd;
 * declare const dyPtr: number, xPtr: number, dxPtr: number, size: number;
 * const da = new Float64Array(4);
 * simdPolyReLUBackward(simd, dyPtr, xPtr, dxPtr, size, [1, 1, 0.5, 0], da);
 * ```
 */
export function simdPolyReLUBackward(
  simd: PolycomSimd,
  dy: number,
  x: number,
  dx: number,
  size: number,
  a: ArrayLike<number>,
  da: Float64Array,
): void {
  const f = scratchView(simd);
  const r = a.length - 1;
  for (let i = 1; i <= SIMD_MAX_ORDER; i++) f[SCRATCH.coef(i)] = i <= r ? i * a[i] : 0;
  simd.exports.pr_bwd(dy, x, dx, size, simd.scratch);
  da[0] += f[SCRATCH.gSum];
  for (let i = 1; i <= r; i++) da[i] += f[SCRATCH.dot(i)];
}

/** This folder's heap tasks by name (`../parallel/tasks.ts` gathers every folder's). */
export const POLYCOM_TASKS = {
  polyNormForward: polyNormForwardTask,
  polyNormBackward: polyNormBackwardTask,
  polyReLUForward: polyReLUForwardTask,
  polyReLUBackward: polyReLUBackwardTask,
} satisfies Record<string, HeapTask>;
