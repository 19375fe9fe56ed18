/**
 * Generates a SIMD `exp` kernel for the wasm backend, four lanes at a time.
 * tfjs's wasm backend calls the C library's scalar `expf` per element; this
 * one serves the `Exp` kernel and, as `expOf`, the fused kernels' modules
 * (cross-entropy, attention's softmax).
 *
 * `exp` follows the Cephes single-precision scheme: `x = n·ln2 + r` with
 * `|r| ≤ ln2/2`, a degree-6 polynomial for `e^r`, and `2^n` built in the
 * exponent bits. Inputs below -87.3 give exactly 0, above 88.7 give +∞, NaN
 * stays NaN. Error is within a few ulp of the correctly rounded result.
 * @module
 */
import { buildModule, FuncBuilder, I32, OP, V128 } from "./asm.ts";
import type { Expr } from "./expr.ts";

const LOG2E = 1.44269504088896341;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const POLY = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/**
 * The scheme's constants, for kernels that compute e^x of a restricted range
 * in their own code (SwiGLU's sigmoid, on x ≤ 0): log2(e), ln2 in a high and a
 * low part, and the polynomial's coefficients from the highest degree.
 */
export const EXP_COEFFICIENTS: {
  readonly log2e: number;
  readonly ln2Hi: number;
  readonly ln2Lo: number;
  readonly poly: readonly number[];
} = { log2e: LOG2E, ln2Hi: LN2_HI, ln2Lo: LN2_LO, poly: POLY };
const LO = -87.33654475;
const HI = 88.72283905;

/** 1.5·2^23: adding it to a float of integral value |n| < 2^22 leaves n + 0x400000 in the low mantissa bits. */
const MAGIC = 12582912;

/** The v128 locals that hold the constants (kept in registers or spill slots: V8 rebuilds a `v128.const` per use). */
interface ExpConstants {
  hi: number;
  lo: number;
  log2e: number;
  ln2Hi: number;
  ln2Lo: number;
  poly: number[];
  one: number;
  inf: number;
  magic: number;
  /** i32x4 of the magic number's bits: subtracted from the bits of n + MAGIC, it leaves n. */
  magicBits: number;
  /** i32x4 of the exponent bias. */
  i127: number;
}

/** Declares the constants' locals and sets them (at the current point of the function: call it before any loop). */
function expConstants(f: FuncBuilder): ExpConstants {
  const set = (value: number) => {
    const local = f.local(V128);
    f.f32x4Const(value).set(local);
    return local;
  };
  const c = {
    hi: set(HI),
    lo: set(LO),
    log2e: set(LOG2E),
    ln2Hi: set(LN2_HI),
    ln2Lo: set(LN2_LO),
    poly: POLY.map(set),
    one: set(1),
    inf: set(Infinity),
    magic: set(MAGIC),
    magicBits: f.local(V128),
    i127: f.local(V128),
  };
  f.i32(new Int32Array(new Float32Array([MAGIC]).buffer)[0]).simd(OP.i32x4Splat).set(c.magicBits);
  f.i32(127).simd(OP.i32x4Splat).set(c.i127);
  return c;
}

/**
 * Emits code that replaces the v128 on the stack by its lane-wise `exp`,
 * using the given scratch locals and constants. `nonPositive`: the inputs
 * are ≤ 0 or NaN (x − max), so the code without the upper clamp, the split
 * 2^n and the overflow select gives the same bits.
 */
function emitExp(
  f: FuncBuilder,
  t: { x: number; n: number; r: number; p: number; e: number },
  c: ExpConstants,
  nonPositive = false,
): void {
  const { x, n, r, p, e } = t;
  f.set(x);
  // n = nearest(clamp(x)·log2e); r = clamp(x) − n·ln2 (in two parts for precision)
  if (nonPositive) f.get(x).get(c.lo).simd(OP.f32x4Pmax).set(r);
  else f.get(x).get(c.hi).simd(OP.f32x4Pmin).get(c.lo).simd(OP.f32x4Pmax).set(r);
  f.get(r).get(c.log2e).simd(OP.f32x4Mul).simd(OP.f32x4Nearest).set(n);
  f.get(r).get(n).get(c.ln2Hi).simd(OP.f32x4Mul).simd(OP.f32x4Sub);
  f.get(n).get(c.ln2Lo).simd(OP.f32x4Mul).simd(OP.f32x4Sub).set(r);
  f.get(c.poly[0]).set(p);
  for (const k of c.poly.slice(1)) f.get(p).get(r).simd(OP.f32x4Mul).get(k).simd(OP.f32x4Add).set(p);
  // y = p·r² + r + 1
  f.get(p).get(r).simd(OP.f32x4Mul).get(r).simd(OP.f32x4Mul).get(r).simd(OP.f32x4Add).get(c.one).simd(OP.f32x4Add);
  // · 2^n as 2^(n>>1) · 2^(n − n>>1): n spans [-126, 128], beyond one float's exponent at both ends. The integer n
  // comes from the magic-number add (n is integral), cheaper than a saturating conversion.
  f.get(n).get(c.magic).simd(OP.f32x4Add).get(c.magicBits).simd(OP.i32x4Sub).set(e);
  if (nonPositive) {
    // n in [-126, 0]: 2^n is one float; y·2^n then rounds once, as the split's second product does.
    f.get(e).get(c.i127).simd(OP.i32x4Add).i32(23).simd(OP.i32x4Shl).simd(OP.f32x4Mul);
    f.get(x).get(c.lo).simd(OP.f32x4Lt).simd(OP.v128AndNot);
    return;
  }
  f.get(e).i32(1).simd(OP.i32x4ShrS).set(n);
  f.get(n).get(c.i127).simd(OP.i32x4Add).i32(23).simd(OP.i32x4Shl).simd(OP.f32x4Mul);
  f.get(e).get(n).simd(OP.i32x4Sub).get(c.i127).simd(OP.i32x4Add).i32(23).simd(OP.i32x4Shl);
  f.simd(OP.f32x4Mul);
  // Underflow to exactly 0; overflow to +∞.
  f.get(x).get(c.lo).simd(OP.f32x4Lt).simd(OP.v128AndNot);
  f.set(p);
  f.get(c.inf).get(p).get(x).get(c.hi).simd(OP.f32x4Gt).simd(OP.v128Bitselect);
}

function expLocals(f: FuncBuilder) {
  return {
    t: { x: f.local(V128), n: f.local(V128), r: f.local(V128), p: f.local(V128), e: f.local(V128) },
    c: expConstants(f),
  };
}

/**
 * Lane-wise `exp` of an f32x4 expression, for other kernels' modules (same
 * code and bits as `exp_f32`). Call once per function, before its loops: it
 * declares the scratch locals there and sets the constants' locals.
 * `nonPositive: true` promises inputs ≤ 0 or NaN (x − max, as a softmax's):
 * shorter code, the same bits there (other inputs: wrong values).
 *
 * @example
 * ```ts
 * import type { FuncBuilder } from "./asm.ts";
 * import { get, load4, store4 } from "./expr.ts";
 * declare const f: FuncBuilder, o: number, p: number; // o, p: locals holding byte pointers
 * const exp = expOf(f);
 * store4(f, get(o), exp(load4(get(p))));
 * ```
 */
export function expOf(f: FuncBuilder, options: { nonPositive?: boolean } = {}): (x: Expr) => Expr {
  const { t, c } = expLocals(f);
  return (x) => (g) => {
    x(g);
    emitExp(g, t, c, options.nonPositive);
  };
}

/** `map(src, dst, n)` over whole vectors (`n` a multiple of 4), applying `body` to each. */
function elementwise(
  body: (f: FuncBuilder, t: ReturnType<typeof expLocals>["t"], c: ExpConstants) => void,
): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32]);
  const [src, dst, n] = [0, 1, 2];
  const end = f.local(I32);
  const { t, c } = expLocals(f);
  f.get(n).i32(2).op(OP.i32Shl).get(src).op(OP.i32Add).set(end);
  f.whileLoop(() => f.get(src).get(end).op(OP.i32LtS), () => {
    f.get(dst);
    f.get(src).simdMem(OP.v128Load, 0, 0);
    body(f, t, c);
    f.simdMem(OP.v128Store, 0, 0);
    f.addTo(src, 16).addTo(dst, 16);
  });
  return f;
}

/**
 * The math module's bytes; it imports `env.memory` (not shared).
 *
 * @example
 * ```ts
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const m = new WebAssembly.Instance(new WebAssembly.Module(mathModuleBytes()), { env: { memory } });
 * ```
 */
export function mathModuleBytes(): Uint8Array<ArrayBuffer> {
  return buildModule({
    memory: { minPages: 0, shared: false },
    funcs: [
      { name: "exp_f32", func: elementwise((f, t, c) => emitExp(f, t, c)) },
    ],
  });
}
