/**
 * Generates the PolyCom SIMD module of `_simd_module.ts` at first use, binds
 * it to tfjs-backend-wasm's memory and drives it row by row. Per-row scalars (norms, coefficients, the unscaled-or-scaled
 * choice) are computed in JavaScript with the same code as the `cpu`
 * kernels; the element loops run in WebAssembly. Orders above 4 are left to
 * the JavaScript loops.
 * @module
 */
import { rowCoefficients, rowCount, unscaledOk } from "./math.ts";
import { polycomSimdBytes, SCRATCH } from "./_simd_module.ts";

/** Highest order the SIMD module unrolls. */
export const SIMD_MAX_ORDER = 4;

/** The exports of the SIMD module (pointers are byte offsets into the tfjs heap). */
interface SimdExports {
  max_abs(p: number, n: number): number;
  pn_sums(x: number, n: number, invm: number, s: number): void;
  pn_out(x: number, o: number, n: number, invm: number, s: number): void;
  pn_bsums(g: number, x: number, n: number, invm: number, s: number): void;
  pn_dx(g: number, x: number, o: number, n: number, invm: number, s: number): void;
  pn_out4(x: number, o: number, n: number, invm: number, s: number): void;
  pn_dx4(g: number, x: number, o: number, n: number, invm: number, s: number): void;
  pr_fwd(x: number, o: number, n: number, s: number): void;
  pr_bwd(g: number, x: number, o: number, n: number, s: number): void;
}

/** The part of tfjs-backend-wasm's emscripten module the loader needs. */
export interface EmscriptenModuleLike {
  asm?: { memory?: WebAssembly.Memory };
  _malloc(bytes: number): number;
}

/** A SIMD module bound to one tfjs wasm heap, with its scratch block there. */
export interface PolycomSimd {
  exports: SimdExports;
  memory: WebAssembly.Memory;
  /** Byte offset of the scratch block (allocated once with the heap's malloc). */
  scratch: number;
}

let compiled: WebAssembly.Module | null | undefined;
const bound = new WeakMap<object, PolycomSimd | null>();

function compile(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = new WebAssembly.Module(polycomSimdBytes());
  } catch {
    // No wasm SIMD in this runtime: the JavaScript loops take over.
    compiled = null;
  }
  return compiled;
}

/**
 * The SIMD module bound to a tfjs wasm heap, or `null` when it cannot be
 * (no SIMD, or a heap that does not expose its memory).
 *
 * @example
 * ```ts
 * declare const backend: { wasm: EmscriptenModuleLike };
 * declare const pointer: number, n: number;
 * const simd = polycomSimdFor(backend.wasm);
 * if (simd) simd.exports.max_abs(pointer, n);
 * ```
 */
export function polycomSimdFor(module: EmscriptenModuleLike): PolycomSimd | null {
  if (bound.has(module)) return bound.get(module) ?? null;
  let simd: PolycomSimd | null = null;
  const wasmModule = compile();
  const memory = module.asm?.memory;
  if (wasmModule && memory instanceof WebAssembly.Memory) {
    const instance = new WebAssembly.Instance(wasmModule, { env: { memory } });
    const scratch = module._malloc(SCRATCH.bytes) >>> 0;
    simd = { exports: instance.exports as unknown as SimdExports, memory, scratch };
  }
  bound.set(module, simd);
  return simd;
}

/**
 * The SIMD module instantiated over a memory of one's own (a heap thread's
 * staging memory), its scratch block at byte 0; `null` without wasm SIMD.
 *
 * @example
 * ```ts
 * const simd = polycomSimdOn(new WebAssembly.Memory({ initial: 4 }));
 * ```
 */
export function polycomSimdOn(memory: WebAssembly.Memory): PolycomSimd | null {
  const wasmModule = compile();
  if (!wasmModule) return null;
  const instance = new WebAssembly.Instance(wasmModule, { env: { memory } });
  return { exports: instance.exports as unknown as SimdExports, memory, scratch: 0 };
}

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
