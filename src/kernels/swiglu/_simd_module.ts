/**
 * SwiGLU's elementwise passes in wasm SIMD (f32x4), written with
 * `../_wasm/expr.ts`: the `wasm` kernels run them on staged blocks
 * (`../_wasm/staged.ts`) from every heap thread. Each pass is one sweep over
 * its arrays, four floats at a time; `n` is rounded up to a multiple of 4 by
 * the caller (the staging blocks have room for the last quad, whose extra
 * lanes are computed and never copied back), so every element of any size
 * takes the same code.
 *
 * - `fwd(g, u, s, out, n)`: s = σ(g) = 1 / (1 + e^−g), out = (g·s)·u
 * - `bwd(dy, g, u, s, dg, du, n)`: du = dy·(g·s), dg = ((dy·u)·s)·(1 + g·(1 − s))
 * - `sigmoid(g, s, n)`: s = σ(g) alone (what the accuracy tests measure)
 *
 * All arithmetic is float32, each operation rounded, in the order written.
 * Pointers are byte offsets into the bound memory.
 *
 * σ is computed from e = e^−|g| ≤ 1 (so nothing overflows) as e / (1 + e)
 * for g < 0 and 1 / (1 + e) otherwise. e^−|g| is exp's scheme
 * (`../_wasm/exp.ts`: the Cephes reduction and polynomial, same
 * coefficients) restricted to arguments ≤ 0, where it needs neither the
 * clamps nor the overflow and underflow fix-ups nor the split 2^n of the
 * full-range `expOf`: `2^n` is the magic-number rounding's bits shifted into
 * the exponent, as in XNNPACK's sigmoid, and four quads are interleaved step
 * by step so their dependency chains overlap (on par with tfjs's XNNPACK
 * Sigmoid on one thread, where 1 / (1 + expOf(−g)) is not; the bench
 * measures it). The result is within 2 ulp of the
 * float64 sigmoid (the tests bound it), exactly 1 from g ≈ 16.6 on, and 0
 * below g ≈ −87.34, where the true value is under 2^−126 (XNNPACK flushes
 * the same tail); NaN stays NaN.
 * @module
 */
import { FuncBuilder, I32, OP, V128 } from "../_wasm/asm.ts";
import { assign, type Expr, get, load4, locals, quads, store4, v4 } from "../_wasm/expr.ts";
import { type SimdModule, simdModule } from "../_wasm/staged.ts";
import { EXP_COEFFICIENTS } from "../_wasm/exp.ts";

/** The module's exports. */
export interface SwiGLUSimd {
  fwd(g: number, u: number, s: number, out: number, n: number): void;
  bwd(dy: number, g: number, u: number, s: number, dg: number, du: number, n: number): void;
  sigmoid(g: number, s: number, n: number): void;
}

/** Bitwise and integer f32x4 operations the sigmoid needs. */
const bits = {
  or: (a: Expr, b: Expr): Expr => (f) => (a(f), b(f), f.simd(OP.v128Or)),
  /** `a & ~b`. */
  andNot: (a: Expr, b: Expr): Expr => (f) => (a(f), b(f), f.simd(OP.v128AndNot)),
  /** Lanes of `a` where `mask` is set, of `b` elsewhere. */
  select: (a: Expr, b: Expr, mask: Expr): Expr => (f) => (a(f), b(f), mask(f), f.simd(OP.v128Bitselect)),
  /** All ones in the lanes where `a < b`. */
  lt: (a: Expr, b: Expr): Expr => (f) => (a(f), b(f), f.simd(OP.f32x4Lt)),
  /** Each i32 lane shifted left. */
  shl: (a: Expr, count: number): Expr => (f) => (a(f), f.i32(count), f.simd(OP.i32x4Shl)),
  /** Each i32 lane shifted right, sign-filling (`x >> 31`: all ones where the sign is set). */
  shrS: (a: Expr, count: number): Expr => (f) => (a(f), f.i32(count), f.simd(OP.i32x4ShrS)),
};

/** 1.5·2^23 + 127: adding it rounds to an integer whose low mantissa bits, shifted by 23, are the float 2^n. */
const MAGIC = 12582912 + 127;
/** Below −CUTOFF, e^x is under 2^−126: σ's tail is flushed there (the magic 2^n would leave the exponent range). */
const CUTOFF = 87.33654475;

/** The f32x4 constants, each set in a local before the loop (V8 rebuilds a `v128.const` at every use). */
function constants(f: FuncBuilder) {
  const { log2e, ln2Hi, ln2Lo, poly } = EXP_COEFFICIENTS;
  const values = { one: 1, signBit: -0, magic: MAGIC, log2e, ln2Hi, ln2Lo, minusCutoff: -CUTOFF };
  const out = {} as Record<keyof typeof values, Expr>;
  for (const [name, value] of Object.entries(values) as [keyof typeof values, number][]) {
    const local = f.local(V128);
    assign(f, local, v4.of(value));
    out[name] = get(local);
  }
  const coefficients = poly.map((value) => {
    const local = f.local(V128);
    assign(f, local, v4.of(value));
    return get(local);
  });
  return { ...out, poly: coefficients };
}

type Constants = ReturnType<typeof constants>;

/** The scratch locals of one quad's sigmoid. */
function sigmoidLocals(f: FuncBuilder) {
  const [x, z, n, s, r, p] = locals(f, V128, 6);
  return { x, z, n, s, r, p };
}

type SigmoidLocals = ReturnType<typeof sigmoidLocals>;

/**
 * σ(x) of local `l.x` into `l.p`, as a list of steps: the caller emits step
 * k of several quads before step k + 1, so their dependency chains overlap.
 */
function sigmoidSteps(f: FuncBuilder, c: Constants, l: SigmoidLocals): (() => void)[] {
  const { x, z, n, s, r, p } = l;
  const [first, ...rest] = c.poly;
  return [
    // z = −|x|; n = round(z·log2e) (+ the magic), s = 2^n
    () => assign(f, z, bits.or(get(x), c.signBit)),
    () => assign(f, n, v4.add(v4.mul(get(z), c.log2e), c.magic)),
    () => assign(f, s, bits.shl(get(n), 23)),
    () => assign(f, n, v4.sub(get(n), c.magic)),
    // r = z − n·ln2 in two parts; e^r = ((P(r)·r)·r + r) + 1
    () => assign(f, r, v4.sub(get(z), v4.mul(get(n), c.ln2Hi))),
    () => assign(f, r, v4.sub(get(r), v4.mul(get(n), c.ln2Lo))),
    () => assign(f, p, first),
    ...rest.map((k) => () => assign(f, p, v4.add(v4.mul(get(p), get(r)), k))),
    () => assign(f, p, v4.add(v4.add(v4.mul(v4.mul(get(p), get(r)), get(r)), get(r)), c.one)),
    // e = e^r · 2^n, 0 beyond the cutoff
    () => assign(f, p, bits.andNot(v4.mul(get(p), get(s)), bits.lt(get(z), c.minusCutoff))),
    // σ = (x < 0 ? e : 1) / (1 + e)
    () => assign(f, p, v4.div(bits.select(get(p), c.one, bits.shrS(get(x), 31)), v4.add(get(p), c.one))),
  ];
}

/**
 * The loop over `n` floats (an i32 local, a multiple of 4) `width` quads at
 * a time, then quad by quad: `body(offsets)` handles the quads at those byte
 * offsets from each pointer local.
 */
function interleavedQuads(
  f: FuncBuilder,
  n: number,
  pointers: readonly number[],
  width: number,
  body: (offsets: number[]) => void,
): void {
  const pass = (count: number) => {
    f.whileLoop(() => f.get(n).i32(4 * count - 1).op(OP.i32GtS), () => {
      body(Array.from({ length: count }, (_, k) => 16 * k));
      for (const p of pointers) f.addTo(p, 16 * count);
      f.get(n).i32(4 * count).op(OP.i32Sub).set(n);
    });
  };
  pass(width);
  pass(1);
}

/** Quads the sigmoid passes interleave: enough independent chains to hide each step's latency. */
const WIDTH = 4;

/**
 * A function of `params` i32 parameters, the last `n`, looping over the
 * quads of the `pointers` parameters: σ of the quad `load(offset)` gives,
 * `WIDTH` quads interleaved, and `each(f, σ's locals, offset)` uses it.
 */
function sigmoidPass(
  params: number,
  pointers: readonly number[],
  load: (offset: number) => Expr,
  each: (f: FuncBuilder, l: SigmoidLocals, offset: number) => void,
): FuncBuilder {
  const f = new FuncBuilder(Array.from({ length: params }, () => I32));
  const n = params - 1;
  const c = constants(f);
  const lanes = Array.from({ length: WIDTH }, () => sigmoidLocals(f));
  interleavedQuads(f, n, pointers, WIDTH, (offsets) => {
    const steps = offsets.map((k, i) => {
      assign(f, lanes[i].x, load(k));
      return sigmoidSteps(f, c, lanes[i]);
    });
    for (let step = 0; step < steps[0].length; step++) for (const s of steps) s[step]();
    offsets.forEach((k, i) => each(f, lanes[i], k));
  });
  return f;
}

function forward(): FuncBuilder {
  const [g, u, s, out] = [0, 1, 2, 3];
  return sigmoidPass(5, [g, u, s, out], (k) => load4(get(g), k), (f, l, k) => {
    store4(f, get(s), get(l.p), k);
    store4(f, get(out), v4.mul(v4.mul(get(l.x), get(l.p)), load4(get(u), k)), k);
  });
}

function sigmoidOnly(): FuncBuilder {
  const [g, s] = [0, 1];
  return sigmoidPass(3, [g, s], (k) => load4(get(g), k), (f, l, k) => store4(f, get(s), get(l.p), k));
}

function backward(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32, I32, I32]);
  const [dy, g, u, s, dg, du, n] = [0, 1, 2, 3, 4, 5, 6];
  const [dv, gv, sv] = locals(f, V128, 3);
  const one = f.local(V128);
  assign(f, one, v4.of(1));
  quads(f, get(n), [dy, g, u, s, dg, du], (k) => {
    assign(f, dv, load4(get(dy), k));
    assign(f, gv, load4(get(g), k));
    assign(f, sv, load4(get(s), k));
    store4(f, get(du), v4.mul(get(dv), v4.mul(get(gv), get(sv))), k);
    const slope = v4.add(get(one), v4.mul(get(gv), v4.sub(get(one), get(sv))));
    store4(f, get(dg), v4.mul(v4.mul(v4.mul(get(dv), load4(get(u), k)), get(sv)), slope), k);
  });
  return f;
}

/** The module (compiled at first use, bound per memory). */
export const SWIGLU_SIMD: SimdModule<SwiGLUSimd> = simdModule<SwiGLUSimd>({
  fwd: forward,
  bwd: backward,
  sigmoid: sigmoidOnly,
});
