/**
 * The causal softmax and its backward in wasm SIMD (f32x4), written with
 * `../_wasm/expr.ts`, over rows of score matrices `[seq, seq]` (`seq` a
 * multiple of 4) that the `wasm` kernels stage (`../_wasm/staged.ts`) from
 * every heap thread. Row `i` of a matrix has `i + 1` live entries: each pass
 * reads only the quads up to the one holding the diagonal (its lanes beyond
 * the diagonal masked off, whatever the memory holds there) and writes exact
 * zeros over the rest of the row. Sums run in four f32 lanes in quad order,
 * added in one fixed order: the same bits whichever thread runs a row.
 *
 * - `fwd(s, p, rows, i0, seq, scale)`: p = softmax over `j ≤ i` of `scale·s`,
 *   the max subtracted before the exp (`expOf`'s x ≤ 0 code), times 1/Σ.
 * - `bwd(p, dp, ds, rows, i0, seq, scale)`: ds = p ⊙ (dp − Σ_j p⊙dp) · scale.
 *
 * Pointers are byte offsets into the bound memory; the output may be the
 * input (`p = s`, `ds = dp`: each quad is read before it is written). `i0` is
 * the first row's index inside its matrix (later rows count on from it,
 * back to 0 after `seq`).
 * @module
 */
import { F32, FuncBuilder, I32, OP, V128 } from "../_wasm/asm.ts";
import {
  accumulate4,
  assign,
  countDown,
  type Expr,
  f32,
  get,
  load4,
  locals,
  quads,
  store4,
  v4,
} from "../_wasm/expr.ts";
import { type SimdModule, simdModule } from "../_wasm/staged.ts";
import { expOf } from "../_wasm/exp.ts";

/** The module's exports. */
export interface AttentionSimd {
  fwd(s: number, p: number, rows: number, i0: number, seq: number, scale: number): void;
  bwd(p: number, dp: number, ds: number, rows: number, i0: number, seq: number, scale: number): void;
}

/** `a & ~mask`: the live lanes of `a`, +0 in the others. */
const live = (a: Expr, mask: Expr): Expr => (f) => {
  a(f);
  mask(f);
  f.simd(OP.v128AndNot);
};

/** `mask ? b : a` per lane. */
const select = (a: Expr, b: Expr, mask: Expr): Expr => (f) => {
  b(f);
  a(f);
  mask(f);
  f.simd(OP.v128Bitselect);
};

/**
 * Per-row bookkeeping shared by both passes: for row index `i` (local), the
 * floats of the full quads before the diagonal quad (`head`), the floats
 * after it (`tail`), and the mask of the diagonal quad's dead lanes (lane > i & 3).
 */
function rowShape(f: FuncBuilder, i: number, seq: number) {
  const [head, tail] = locals(f, I32, 2);
  const mask = f.local(V128);
  const iota = f.local(V128);
  // i32x4 (0, 1, 2, 3)
  f.simd(OP.v128Const).op(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0).set(iota);
  return {
    head,
    tail,
    mask,
    /** Sets head, tail and mask for row `i`. */
    begin() {
      f.get(i).i32(-4).op(OP.i32And).set(head);
      f.get(seq).get(head).op(OP.i32Sub).i32(4).op(OP.i32Sub).set(tail);
      f.get(iota).get(i).i32(3).op(OP.i32And).simd(OP.i32x4Splat).simd(OP.i32x4GtS).set(mask);
    },
    /** Next row: i + 1, back to 0 at the end of a matrix. */
    next() {
      f.get(i).i32(1).op(OP.i32Add).set(i);
      f.get(i).get(seq).op(OP.i32Eq).ifElse(() => f.i32(0).set(i));
    },
  };
}

/** `local + 4` (i32): with `head`, the floats up to and with the diagonal quad. */
const plus4 = (local: number): Expr => (f) => f.get(local).i32(4).op(OP.i32Add);

/** Stores zeros over `n` floats (a multiple of 4) from pointer local `o`, advancing it. */
function zeros(f: FuncBuilder, n: number, o: number): void {
  quads(f, get(n), [o], (k) => store4(f, get(o), v4.of(0), k));
}

function forward(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32, F32]);
  const [s, p, rows, i, seq, scale] = [0, 1, 2, 3, 4, 5];
  const [a, o, rowBytes] = locals(f, I32, 3);
  const [sc, mx, last, acc, inv, negInf] = locals(f, V128, 6);
  const exp = expOf(f, { nonPositive: true });
  const row = rowShape(f, i, seq);
  assign(f, sc, v4.splat(get(scale)));
  assign(f, negInf, v4.of(-Infinity));
  f.get(seq).i32(2).op(OP.i32Shl).set(rowBytes);
  countDown(f, get(rows), 1, [], () => {
    row.begin();
    // The max of the live scaled scores.
    assign(f, mx, get(negInf));
    assign(f, a, get(s));
    quads(f, get(row.head), [a], (k) => assign(f, mx, v4.pmax(get(mx), v4.mul(load4(get(a), k), get(sc)))));
    assign(f, last, select(v4.mul(load4(get(a)), get(sc)), get(negInf), get(row.mask)));
    assign(f, mx, v4.splat(f32.maxLanes(v4.pmax(get(mx), get(last)))));
    // e = exp(x − max), stored, and Σe; the dead lanes are exp(−∞) = 0. Not unrolled: with exp's constants and
    // temporaries, unrolled copies spill registers.
    assign(f, acc, v4.of(0));
    assign(f, a, get(s));
    assign(f, o, get(p));
    quads(f, get(row.head), [a, o], (k) => {
      assign(f, last, exp(v4.sub(v4.mul(load4(get(a), k), get(sc)), get(mx))));
      store4(f, get(o), get(last), k);
      accumulate4(f, acc, get(last));
    }, 1);
    // The diagonal quad, `last` reloaded (the loop above reused it).
    assign(f, last, select(v4.mul(load4(get(a)), get(sc)), get(negInf), get(row.mask)));
    assign(f, last, exp(v4.sub(get(last), get(mx))));
    store4(f, get(o), get(last));
    accumulate4(f, acc, get(last));
    assign(f, inv, v4.splat(f32.div(f32.of(1), f32.sumLanes(get(acc)))));
    // p = e / Σe over the live quads, then zeros.
    assign(f, o, get(p));
    quads(f, plus4(row.head), [o], (k) => store4(f, get(o), v4.mul(load4(get(o), k), get(inv)), k));
    zeros(f, row.tail, o);
    f.addLocal(s, rowBytes).addLocal(p, rowBytes);
    row.next();
  });
  return f;
}

function backward(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32, I32, F32]);
  const [p, dp, ds, rows, i, seq, scale] = [0, 1, 2, 3, 4, 5, 6];
  const [a, b, o, rowBytes] = locals(f, I32, 4);
  const [sc, acc, dot, lp, ldp] = locals(f, V128, 5);
  const row = rowShape(f, i, seq);
  assign(f, sc, v4.splat(get(scale)));
  f.get(seq).i32(2).op(OP.i32Shl).set(rowBytes);
  countDown(f, get(rows), 1, [], () => {
    row.begin();
    // Σ p⊙dp over the live entries.
    assign(f, acc, v4.of(0));
    assign(f, a, get(p));
    assign(f, b, get(dp));
    quads(f, get(row.head), [a, b], (k) => accumulate4(f, acc, v4.mul(load4(get(a), k), load4(get(b), k))));
    assign(f, lp, live(load4(get(a)), get(row.mask)));
    assign(f, ldp, live(load4(get(b)), get(row.mask)));
    accumulate4(f, acc, v4.mul(get(lp), get(ldp)));
    assign(f, dot, v4.splat(f32.sumLanes(get(acc))));
    // ds = p ⊙ (dp − dot) · scale, then zeros.
    const grad = (pv: Expr, dpv: Expr) => v4.mul(v4.mul(pv, v4.sub(dpv, get(dot))), get(sc));
    assign(f, a, get(p));
    assign(f, b, get(dp));
    assign(f, o, get(ds));
    quads(f, get(row.head), [a, b, o], (k) => store4(f, get(o), grad(load4(get(a), k), load4(get(b), k)), k));
    store4(f, get(o), live(grad(get(lp), get(ldp)), get(row.mask)));
    f.addTo(o, 16);
    zeros(f, row.tail, o);
    f.addLocal(p, rowBytes).addLocal(dp, rowBytes).addLocal(ds, rowBytes);
    row.next();
  });
  return f;
}

/** The module (compiled at first use, bound per memory). */
export const ATTENTION_SIMD: SimdModule<AttentionSimd> = simdModule<AttentionSimd>({ fwd: forward, bwd: backward });
