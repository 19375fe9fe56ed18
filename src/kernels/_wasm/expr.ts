/**
 * Expressions over {@linkcode FuncBuilder}: a value is a function that pushes
 * it, so kernels read as formulas (`v4.mul(load4(p), splat4(r))`) instead of
 * stack code. f32x4 arithmetic, scalar f32, loads, stores and the counted
 * loop the row kernels share.
 * @module
 */
import { type F32, type FuncBuilder, I32, OP, type V128 } from "./asm.ts";

/** Code that pushes one value. */
export type Expr = (f: FuncBuilder) => void;

/** The value of local `index`. */
export const get = (index: number): Expr => (f) => f.get(index);

const simd2 = (opcode: number) => (a: Expr, b: Expr): Expr => (f) => {
  a(f);
  b(f);
  f.simd(opcode);
};
const simd1 = (opcode: number) => (a: Expr): Expr => (f) => {
  a(f);
  f.simd(opcode);
};

/** f32x4 lane-wise arithmetic (IEEE single precision, as JavaScript's `Math.fround` of each step). */
export const v4 = {
  add: simd2(OP.f32x4Add),
  sub: simd2(OP.f32x4Sub),
  mul: simd2(OP.f32x4Mul),
  div: simd2(OP.f32x4Div),
  min: simd2(OP.f32x4Min),
  max: simd2(OP.f32x4Max),
  /** `b < a ? b : a`: one instruction (min's NaN and ±0 rules cost several); a NaN `a` passes through. */
  pmin: simd2(OP.f32x4Pmin),
  /** `a < b ? b : a`: one instruction; a NaN `a` passes through, a NaN `b` is dropped. */
  pmax: simd2(OP.f32x4Pmax),
  neg: simd1(OP.f32x4Neg),
  sqrt: simd1(OP.f32x4Sqrt),
  abs: simd1(OP.f32x4Abs),
  /** Four copies of an f32. */
  splat: simd1(OP.f32x4Splat),
  /** Four copies of a constant. */
  of: (value: number): Expr => (f) => f.f32x4Const(value),
};

/** f64x2 lane-wise arithmetic (IEEE double precision, as JavaScript's numbers). */
export const v2 = {
  add: simd2(OP.f64x2Add),
  sub: simd2(OP.f64x2Sub),
  mul: simd2(OP.f64x2Mul),
  /** `a < b ? b : a`: one instruction; a NaN `a` passes through, a NaN `b` is dropped. */
  pmax: simd2(OP.f64x2Pmax),
  /** All ones in a lane where `a < b`, else zero. */
  lt: simd2(OP.f64x2Lt),
  /** Two copies of an f64. */
  splat: simd1(OP.f64x2Splat),
};

/** Bitwise operations on a whole v128. */
export const bits = {
  and: simd2(OP.v128And),
};

const op2 = (opcode: number) => (a: Expr, b: Expr): Expr => (f) => {
  a(f);
  b(f);
  f.op(opcode);
};

/** Scalar f32 arithmetic. */
export const f32 = {
  add: op2(OP.f32Add),
  sub: op2(OP.f32Sub),
  mul: op2(OP.f32Mul),
  div: op2(OP.f32Div),
  sqrt: (a: Expr): Expr => (f) => {
    a(f);
    f.op(OP.f32Sqrt);
  },
  of: (value: number): Expr => (f) => f.f32(value),
  /** Lane `lane` of an f32x4. */
  lane: (a: Expr, lane: number): Expr => (f) => {
    a(f);
    f.lane(OP.f32x4ExtractLane, lane);
  },
  max: op2(OP.f32Max),
  /** (l0 max l1) max (l2 max l3) of an f32x4. */
  maxLanes: (a: Expr): Expr =>
    f32.max(f32.max(f32.lane(a, 0), f32.lane(a, 1)), f32.max(f32.lane(a, 2), f32.lane(a, 3))),
  /** (l0 + l1) + (l2 + l3) of an f32x4: one fixed order, whatever the caller. */
  sumLanes: (a: Expr): Expr =>
    f32.add(f32.add(f32.lane(a, 0), f32.lane(a, 1)), f32.add(f32.lane(a, 2), f32.lane(a, 3))),
  /** The f32 at byte address `p` + `offset`. */
  load: (p: Expr, offset = 0): Expr => (f) => {
    p(f);
    f.mem(OP.f32Load, 2, offset);
  },
};

/** The four f32 at byte address `p` + `offset` (16-byte aligned by the callers' layout). */
export const load4 = (p: Expr, offset = 0): Expr => (f) => {
  p(f);
  f.simdMem(OP.v128Load, 4, offset);
};

/** Stores an f32x4 at byte address `p` + `offset`. */
export function store4(f: FuncBuilder, p: Expr, value: Expr, offset = 0): void {
  p(f);
  value(f);
  f.simdMem(OP.v128Store, 4, offset);
}

/** Stores an f32 at byte address `p` + `offset`. */
export function storeF32(f: FuncBuilder, p: Expr, value: Expr, offset = 0): void {
  p(f);
  value(f);
  f.mem(OP.f32Store, 2, offset);
}

/** `local = value`. */
export function assign(f: FuncBuilder, local: number, value: Expr): void {
  value(f);
  f.set(local);
}

/** `local += value` (f32x4). */
export function accumulate4(f: FuncBuilder, local: number, value: Expr): void {
  assign(f, local, v4.add(get(local), value));
}

/** Fresh locals of one type. */
export function locals(f: FuncBuilder, type: typeof I32 | typeof F32 | typeof V128, count: number): number[] {
  return Array.from({ length: count }, () => f.local(type));
}

/**
 * `for (i = count; i > 0; i -= step) { body(); pointers += bytes }`: `count`
 * an i32 expression (a multiple of `step`), each pointer local advanced by its
 * byte stride after every pass. The body may not branch out of the loop.
 */
export function countDown(
  f: FuncBuilder,
  count: Expr,
  step: number,
  pointers: readonly (readonly [local: number, bytes: number])[],
  body: () => void,
): void {
  const i = f.local(I32);
  assign(f, i, count);
  f.whileLoop(() => f.get(i).i32(0).op(OP.i32GtS), () => {
    body();
    for (const [p, bytes] of pointers) f.addTo(p, bytes);
    f.get(i).i32(step).op(OP.i32Sub).set(i);
  });
}

/**
 * The loop over `n` floats four at a time (`n` an i32 expression, a multiple
 * of 4): `body(offset)` reads and writes its quad at byte `offset` from each
 * pointer local in `pointers`, which step 16 bytes a quad. Unrolled
 * `unroll` times (constant offsets, one pointer update per pass), then quad
 * by quad for the rest; the quads are visited in order either way, so sums
 * come out the same for any `unroll`.
 */
export function quads(
  f: FuncBuilder,
  n: Expr,
  pointers: readonly number[],
  body: (offset: number) => void,
  unroll = 4,
): void {
  const i = f.local(I32);
  assign(f, i, n);
  const pass = (count: number) => {
    f.whileLoop(() => f.get(i).i32(4 * count - 1).op(OP.i32GtS), () => {
      for (let k = 0; k < count; k++) body(16 * k);
      for (const p of pointers) f.addTo(p, 16 * count);
      f.get(i).i32(4 * count).op(OP.i32Sub).set(i);
    });
  };
  if (unroll > 1) pass(unroll);
  pass(1);
}

/** `n` (an i32 local) rounded down to a multiple of 4: the floats {@linkcode quads} covers. */
export const wholeQuads = (n: number): Expr => (f) => f.get(n).i32(-4).op(OP.i32And);

/**
 * The last `n mod 4` floats after {@linkcode quads}, one at a time: `one()`
 * for each, then every pointer local in `pointers` steps 4 bytes.
 */
export function eachTail(f: FuncBuilder, n: number, pointers: readonly number[], one: () => void): void {
  const left = f.local(I32);
  assign(f, left, (g) => g.get(n).i32(3).op(OP.i32And));
  f.whileLoop(() => f.get(left), () => {
    one();
    for (const p of pointers) f.addTo(p, 4);
    f.get(left).i32(1).op(OP.i32Sub).set(left);
  });
}
