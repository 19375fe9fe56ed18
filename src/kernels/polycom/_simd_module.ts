/**
 * The SIMD row primitives behind the fused `wasm` PolyCom kernels, written
 * with the shared code generation of `../_wasm/` (`expr.ts` formulas, every
 * instruction through `OP`) and built by `simdModule` (`staged.ts`) at first
 * use. The calling thread binds it to tfjs-backend-wasm's own memory, so it
 * reads and writes tensors in place; workers bind it to their staging memory. All arithmetic is f64x2 (two float32 elements promoted
 * per step), matching the float64 JavaScript path of the `cpu` kernels,
 * except `pn_out4` / `pn_dx4`: PolyNorm's elementwise output passes in f32x4
 * (four elements a step) on float32 copies of the f64 row coefficients, for
 * ordinary rows. Orders up to 4 are unrolled, with zero coefficients for
 * unused orders.
 *
 * Scratch layout (f64 slots at the `s` pointer): 0..3 S_1..S_4 (Σ u^2i),
 * 4..7 C_1..C_4 (Σ g u^i), 8 Σ g; 16..24 coefficients passed in.
 * @module
 */
import { F32, F64, FuncBuilder, I32, OP, V128 } from "../_wasm/asm.ts";
import { assign, bits, type Expr, get, locals, v2, v4 } from "../_wasm/expr.ts";
import { type SimdModule, simdModule } from "../_wasm/staged.ts";

/** Highest order the module unrolls (higher orders take the JavaScript loops). */
export const SIMD_MAX_ORDER = 4;

/** f64 slot offsets (bytes) in the scratch block. */
const SUM = (i: number) => (i - 1) * 8; // S_i, i = 1..4
const DOT = (i: number) => 32 + (i - 1) * 8; // C_i
const GSUM = 64;
const COEF = (i: number) => 128 + i * 8; // coefficient slot i = 0..8

/** Byte offsets of the scratch slots, for the JavaScript side. */
export const SCRATCH = {
  /** f64 index of S_i is i - 1. */
  sum: (i: number): number => SUM(i) / 8,
  /** f64 index of C_i. */
  dot: (i: number): number => DOT(i) / 8,
  /** f64 index of Σ g. */
  gSum: GSUM / 8,
  /** f64 index of coefficient slot i (0..8). */
  coef: (i: number): number => COEF(i) / 8,
  /** Bytes the scratch block needs. */
  bytes: COEF(8) + 8,
} as const;

/** `acc += value` (f64x2). */
function accumulate(f: FuncBuilder, acc: number, value: Expr): void {
  assign(f, acc, v2.add(get(acc), value));
}

/** c0 + v·(c1 + v·(c2 + …)) over SIMD locals, in f64x2 or (with `four`) f32x4. */
function horner(v: number, c: number[], four = false): Expr {
  const [plus, times] = four ? [v4.add, v4.mul] : [v2.add, v2.mul];
  let acc = get(c[c.length - 1]);
  for (let i = c.length - 2; i >= 0; i--) acc = plus(get(c[i]), times(get(v), acc));
  return acc;
}

/** Coefficient slot `slot` splat into `local`: f64x2, or (with `four`) f32x4 of its float32 rounding. */
function splatCoef(f: FuncBuilder, s: number, local: number, slot: number, four = false): void {
  f.get(s).mem(OP.f64Load, 3, COEF(slot));
  if (four) f.op(OP.f32DemoteF64).simd(OP.f32x4Splat);
  else f.simd(OP.f64x2Splat);
  f.set(local);
}

/** Stores the sum of f64x2 local `acc`'s lanes at byte `slot` of the scratch. */
function storeLanes(f: FuncBuilder, s: number, slot: number, acc: number): void {
  f.get(s).get(acc).lane(OP.f64x2ExtractLane, 0).get(acc).lane(OP.f64x2ExtractLane, 1).op(OP.f64Add);
  f.mem(OP.f64Store, 3, slot);
}

/** How a loop body reads and writes its elements. */
interface Access {
  /** The elements at pointer local `p`. */
  load(p: number): Expr;
  /** Stores SIMD local `y` at pointer local `o`. */
  store(f: FuncBuilder, o: number, y: number): void;
}

/** Two float32 promoted to f64x2 per step. */
const PAIR: Access = {
  load: (p) => (f) => f.get(p).simdMem(OP.v128Load64Zero, 3, 0).simd(OP.f64x2PromoteLowF32x4),
  store: (f, o, y) => {
    f.get(o).get(y).simd(OP.f32x4DemoteF64x2Zero).simdMemLane(OP.v128Store64Lane, 3, 0, 0);
  },
};

/** The last odd element, with a zero second lane (which adds nothing to any sum). */
const LAST: Access = {
  load: (p) => (f) => f.get(p).simdMem(OP.v128Load32Zero, 2, 0).simd(OP.f64x2PromoteLowF32x4),
  store: (f, o, y) => {
    f.get(o).get(y).simd(OP.f32x4DemoteF64x2Zero).lane(OP.f32x4ExtractLane, 0).mem(OP.f32Store, 2, 0);
  },
};

/** Four float32 elements per step. */
const QUAD: Access = {
  load: (p) => (f) => f.get(p).simdMem(OP.v128Load, 2, 0),
  store: (f, o, y) => {
    f.get(o).get(y).simdMem(OP.v128Store, 2, 0);
  },
};

/** One of the (up to 3) elements left after the quads, in lane 0. */
const ONE: Access = {
  load: (p) => (f) => f.get(p).mem(OP.f32Load, 2, 0).simd(OP.f32x4Splat),
  store: (f, o, y) => {
    f.get(o).get(y).lane(OP.f32x4ExtractLane, 0).mem(OP.f32Store, 2, 0);
  },
};

/** `while (more()) { body(); pointers += bytes; rem -= count }`. */
function countedLoop(
  f: FuncBuilder,
  more: () => void,
  body: () => void,
  pointers: number[],
  rem: number,
  count: number,
  bytes: number,
): void {
  f.whileLoop(more, () => {
    body();
    for (const p of pointers) f.addTo(p, bytes);
    f.get(rem).i32(count).op(OP.i32Sub).set(rem);
  });
}

/**
 * The loop over `n` elements: the body two at a time while two are left,
 * then once more for an odd last element.
 */
function pairLoop(f: FuncBuilder, n: number, rem: number, body: (io: Access) => void, pointers: number[]): void {
  f.get(n).set(rem);
  countedLoop(f, () => f.get(rem).i32(1).op(OP.i32GtS), () => body(PAIR), pointers, rem, 2, 8);
  f.get(rem).i32(1).op(OP.i32Eq).ifElse(() => body(LAST));
}

/** The loop over `n` float32 elements four at a time, then one at a time for the last `n mod 4`. */
function quadLoop(f: FuncBuilder, n: number, rem: number, body: (io: Access) => void, pointers: number[]): void {
  f.get(n).set(rem);
  countedLoop(f, () => f.get(rem).i32(3).op(OP.i32GtS), () => body(QUAD), pointers, rem, 4, 16);
  countedLoop(f, () => f.get(rem), () => body(ONE), pointers, rem, 1, 4);
}

/** `count` fresh v128 locals. */
const vectors = (f: FuncBuilder, count: number): number[] => locals(f, V128, count);

/**
 * max |x| over n float32 at p (float32 max is exact, so f32x4 suffices).
 * pmax is one instruction where max is several; like the JavaScript loop it
 * skips NaN, which the sums then carry into the output of the row.
 */
function maxAbs(): FuncBuilder {
  const f = new FuncBuilder([I32, I32], [F64]);
  const [p, n] = [0, 1];
  const end4 = f.local(I32), end = f.local(I32), acc = f.local(V128), m = f.local(F32);
  f.get(p).get(n).i32(2).op(OP.i32Shl).op(OP.i32Add).set(end);
  f.get(p).get(n).i32(-4).op(OP.i32And).i32(2).op(OP.i32Shl).op(OP.i32Add).set(end4);
  f.f32(0).simd(OP.f32x4Splat).set(acc);
  const scan = (limit: number, step: () => void, bytes: number) => {
    f.whileLoop(() => f.get(p).get(limit).op(OP.i32GeU, OP.i32Eqz), () => {
      step();
      f.addTo(p, bytes);
    });
  };
  scan(end4, () => f.get(acc).get(p).simdMem(OP.v128Load, 4, 0).simd(OP.f32x4Abs).simd(OP.f32x4Pmax).set(acc), 16);
  // max(max(lane 0, lane 1), max(lane 2, lane 3))
  f.get(acc).lane(OP.f32x4ExtractLane, 0).get(acc).lane(OP.f32x4ExtractLane, 1).op(OP.f32Max);
  f.get(acc).lane(OP.f32x4ExtractLane, 2).get(acc).lane(OP.f32x4ExtractLane, 3).op(OP.f32Max, OP.f32Max).set(m);
  scan(end, () => f.get(m).get(p).mem(OP.f32Load, 2, 0).op(OP.f32Abs, OP.f32Max).set(m), 4);
  f.get(m).op(OP.f64PromoteF32);
  return f;
}

/** u = x · invm splat, and the locals every PolyNorm pass starts from. */
function rowScaled(f: FuncBuilder, invm: number, four = false): { vi: number; u: number } {
  const vi = f.local(V128), u = f.local(V128);
  f.get(invm);
  if (four) f.op(OP.f32DemoteF64).simd(OP.f32x4Splat);
  else f.simd(OP.f64x2Splat);
  f.set(vi);
  return { vi, u };
}

/** The four even-power sums S_i += u^2i from u² and u⁴ (shared by pn_sums and pn_bsums). */
function evenSums(f: FuncBuilder, sums: number[], u2: number, u4: number): void {
  accumulate(f, sums[0], get(u2));
  accumulate(f, sums[1], get(u4));
  accumulate(f, sums[2], v2.mul(get(u4), get(u2)));
  accumulate(f, sums[3], v2.mul(get(u4), get(u4)));
}

/** Σ g and C_i += g·p^i (i = 1..4) from p, p² and p⁴ (shared by pn_bsums and pr_bwd). */
function gradientSums(f: FuncBuilder, gs: number, dots: number[], gg: number, p: number, p2: number, p4: Expr): void {
  accumulate(f, gs, get(gg));
  accumulate(f, dots[0], v2.mul(get(gg), get(p)));
  accumulate(f, dots[1], v2.mul(get(gg), get(p2)));
  accumulate(f, dots[2], v2.mul(get(gg), v2.mul(get(p2), get(p))));
  accumulate(f, dots[3], v2.mul(get(gg), p4));
}

/** Stores C_1..C_4 and Σ g into the scratch. */
function storeGradientSums(f: FuncBuilder, s: number, gs: number, dots: number[]): void {
  dots.forEach((acc, i) => storeLanes(f, s, DOT(i + 1), acc));
  storeLanes(f, s, GSUM, gs);
}

/** S_i = Σ u^2i, i = 1..4, with u = x · invm. */
function pnSums(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, F64, I32]);
  const [x, n, invm, s] = [0, 1, 2, 3];
  const rem = f.local(I32);
  const { vi, u } = rowScaled(f, invm);
  const [u2, u4] = vectors(f, 2);
  const sums = vectors(f, 4);
  pairLoop(f, n, rem, (io) => {
    assign(f, u, v2.mul(io.load(x), get(vi)));
    assign(f, u2, v2.mul(get(u), get(u)));
    assign(f, u4, v2.mul(get(u2), get(u2)));
    evenSums(f, sums, u2, u4);
  }, [x]);
  sums.forEach((acc, i) => storeLanes(f, s, SUM(i + 1), acc));
  return f;
}

/** out = k0 + u·(k1 + u·(k2 + u·(k3 + u·k4))), coefficients k0..k4 in the scratch; f32x4 with `four`. */
function pnOut(four: boolean): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, F64, I32]);
  const [x, o, n, invm, s] = [0, 1, 2, 3, 4];
  const rem = f.local(I32);
  const { vi, u } = rowScaled(f, invm, four);
  const y = f.local(V128);
  const k = vectors(f, 5);
  k.forEach((local, i) => splatCoef(f, s, local, i, four));
  const loop = four ? quadLoop : pairLoop;
  loop(f, n, rem, (io) => {
    assign(f, u, (four ? v4.mul : v2.mul)(io.load(x), get(vi)));
    assign(f, y, horner(u, k, four));
    io.store(f, o, y);
  }, [x, o]);
  return f;
}

/** S_i = Σ u^2i, C_i = Σ g·u^i (i = 1..4) and Σ g. */
function pnBackSums(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, F64, I32]);
  const [g, x, n, invm, s] = [0, 1, 2, 3, 4];
  const rem = f.local(I32);
  const { vi, u } = rowScaled(f, invm);
  const [gg, u2, u4] = vectors(f, 3);
  const sums = vectors(f, 4);
  const dots = vectors(f, 4);
  const gs = f.local(V128);
  pairLoop(f, n, rem, (io) => {
    assign(f, u, v2.mul(io.load(x), get(vi)));
    assign(f, gg, io.load(g));
    assign(f, u2, v2.mul(get(u), get(u)));
    assign(f, u4, v2.mul(get(u2), get(u2)));
    gradientSums(f, gs, dots, gg, u, u2, get(u4));
    evenSums(f, sums, u2, u4);
  }, [x, g]);
  sums.forEach((acc, i) => storeLanes(f, s, SUM(i + 1), acc));
  storeGradientSums(f, s, gs, dots);
  return f;
}

/**
 * dx = g·(b1 + u·(b2 + u·(b3 + u·b4))) − u·(q1 + u²·(q2 + u²·(q3 + u²·q4))),
 * b1..b4 in coefficient slots 1..4, q1..q4 in slots 5..8; f32x4 with `four`.
 */
function pnDx(four: boolean): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, F64, I32]);
  const [g, x, o, n, invm, s] = [0, 1, 2, 3, 4, 5];
  const rem = f.local(I32);
  const { vi, u } = rowScaled(f, invm, four);
  const [u2, y] = vectors(f, 2);
  const b = vectors(f, 4);
  const q = vectors(f, 4);
  b.forEach((local, i) => splatCoef(f, s, local, 1 + i, four));
  q.forEach((local, i) => splatCoef(f, s, local, 5 + i, four));
  const [times, minus, loop] = four ? [v4.mul, v4.sub, quadLoop] : [v2.mul, v2.sub, pairLoop];
  loop(f, n, rem, (io) => {
    assign(f, u, times(io.load(x), get(vi)));
    assign(f, u2, times(get(u), get(u)));
    assign(f, y, minus(times(io.load(g), horner(u, b, four)), times(get(u), horner(u2, q, four))));
    io.store(f, o, y);
  }, [x, g, o]);
  return f;
}

/** relu(x) as f64x2.pmax(0, x): NaN → 0, as x > 0 ? x : 0. */
const relu = (zero: number, x: Expr): Expr => v2.pmax(get(zero), x);

/** PolyReLU: out = k0 + v·(k1 + v·(k2 + v·(k3 + v·k4))), v = relu(x). */
function prForward(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32]);
  const [x, o, n, s] = [0, 1, 2, 3];
  const rem = f.local(I32);
  const [zero, v, y] = vectors(f, 3);
  const k = vectors(f, 5);
  k.forEach((local, i) => splatCoef(f, s, local, i));
  pairLoop(f, n, rem, (io) => {
    assign(f, v, relu(zero, io.load(x)));
    assign(f, y, horner(v, k));
    io.store(f, o, y);
  }, [x, o]);
  return f;
}

/**
 * PolyReLU backward: dx = g·(d1 + v·(d2 + v·(d3 + v·d4))) where x > 0, else 0
 * (d_i = i·a_i in coefficient slots 1..4); C_i = Σ g·v^i and Σ g.
 */
function prBackward(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32]);
  const [g, x, o, n, s] = [0, 1, 2, 3, 4];
  const rem = f.local(I32);
  const [zero, xv, v, vsq, gg, y] = vectors(f, 6);
  const d = vectors(f, 4);
  const dots = vectors(f, 4);
  const gs = f.local(V128);
  d.forEach((local, i) => splatCoef(f, s, local, 1 + i));
  pairLoop(f, n, rem, (io) => {
    assign(f, xv, io.load(x));
    assign(f, gg, io.load(g));
    assign(f, v, relu(zero, get(xv)));
    assign(f, vsq, v2.mul(get(v), get(v)));
    assign(f, y, bits.and(v2.lt(get(zero), get(xv)), v2.mul(get(gg), horner(v, d))));
    io.store(f, o, y);
    gradientSums(f, gs, dots, gg, v, vsq, v2.mul(get(vsq), get(vsq)));
  }, [x, g, o]);
  storeGradientSums(f, s, gs, dots);
  return f;
}

/** The exports of the module (pointers are byte offsets into the bound memory; `s` is the scratch block). */
export interface PolycomSimdExports {
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

/** The module, compiled at first use and bound once per memory (importing `env.memory`). */
export const POLYCOM_SIMD: SimdModule<PolycomSimdExports> = simdModule<PolycomSimdExports>({
  max_abs: maxAbs,
  pn_sums: pnSums,
  pn_out: () => pnOut(false),
  pn_bsums: pnBackSums,
  pn_dx: () => pnDx(false),
  pn_out4: () => pnOut(true),
  pn_dx4: () => pnDx(true),
  pr_fwd: prForward,
  pr_bwd: prBackward,
});
