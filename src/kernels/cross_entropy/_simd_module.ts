/**
 * Softmax cross-entropy's row passes in wasm SIMD (f32x4), for the `wasm`
 * kernels (run on staged rows from every heap thread, `../_wasm/staged.ts`).
 * Rows are `v` floats, any `v`: the quads first, then the last `v mod 4` one
 * at a time. The exponential is `expOf`'s (a few ulp of float32); the
 * logarithm and the label's term are left to the JavaScript side, once a row.
 *
 * - `stats(x, st, rows, v)`: st[2i] = max of row i, st[2i+1] = Σ exp(x − max)
 * - `grad(x, dx, st, rows, v)`: dx = st[2i+1] · exp(x − st[2i]) (with st[2i]
 *   the row's max and st[2i+1] = dy / Σ exp(x − max), written by the caller:
 *   dx is then dy · softmax(x); the label's −dy is the caller's too)
 *
 * The exponential loops are not unrolled: with exp's constants and
 * temporaries, unrolled copies spill registers.
 *
 * Pointers are byte offsets into the bound memory.
 * @module
 */
import { F32, FuncBuilder, I32, OP, V128 } from "../_wasm/asm.ts";
import {
  accumulate4,
  assign,
  countDown,
  eachTail,
  type Expr,
  f32,
  get,
  load4,
  locals,
  quads,
  store4,
  storeF32,
  v4,
  wholeQuads,
} from "../_wasm/expr.ts";
import { type SimdModule, simdModule } from "../_wasm/staged.ts";
import { expOf } from "../_wasm/exp.ts";

/** The module's exports. */
export interface CrossEntropySimd {
  stats(x: number, st: number, rows: number, v: number): void;
  grad(x: number, dx: number, st: number, rows: number, v: number): void;
}

/** The float at `p`, splat to four lanes (the tail elements go through the quad code's lane 0). */
const splat1 = (p: number): Expr => v4.splat(f32.load(get(p)));

function stats(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32]);
  const [x, st, count, v] = [0, 1, 2, 3];
  const p = f.local(I32);
  const [mx, acc] = locals(f, V128, 2);
  const [m, s] = locals(f, F32, 2);
  const exp = expOf(f);
  // Pass 1: the row's max (quads, then lanes in a fixed order, then the tail).
  const rowMax = () => {
    assign(f, mx, v4.of(-Infinity));
    assign(f, p, get(x));
    quads(f, wholeQuads(v), [p], (k) => assign(f, mx, v4.pmax(get(mx), load4(get(p), k))));
    assign(f, m, f32.maxLanes(get(mx)));
    eachTail(f, v, [p], () => assign(f, m, f32.max(get(m), f32.load(get(p)))));
  };
  countDown(f, get(count), 1, [], () => {
    rowMax();
    // Pass 2: Σ exp(x − max).
    assign(f, acc, v4.of(0));
    assign(f, mx, v4.splat(get(m)));
    assign(f, p, get(x));
    quads(f, wholeQuads(v), [p], (k) => accumulate4(f, acc, exp(v4.sub(load4(get(p), k), get(mx)))), 1);
    assign(f, s, f32.sumLanes(get(acc)));
    eachTail(f, v, [p], () => assign(f, s, f32.add(get(s), f32.lane(exp(v4.sub(splat1(p), get(mx))), 0))));
    f.get(st).get(m).mem(OP.f32Store, 2, 0);
    f.get(st).get(s).mem(OP.f32Store, 2, 4);
    assign(f, x, get(p));
    f.addTo(st, 8);
  });
  return f;
}

function grad(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32]);
  const [x, dx, st, count, v] = [0, 1, 2, 3, 4];
  const [m, g] = locals(f, V128, 2);
  const exp = expOf(f);
  countDown(f, get(count), 1, [], () => {
    assign(f, m, v4.splat(f32.load(get(st))));
    assign(f, g, v4.splat(f32.load(get(st), 4)));
    quads(
      f,
      wholeQuads(v),
      [x, dx],
      (k) => store4(f, get(dx), v4.mul(get(g), exp(v4.sub(load4(get(x), k), get(m)))), k),
      1,
    );
    eachTail(f, v, [x, dx], () => storeF32(f, get(dx), f32.lane(v4.mul(get(g), exp(v4.sub(splat1(x), get(m)))), 0)));
    f.addTo(st, 8);
  });
  return f;
}

/** The module (compiled at first use, bound per memory). */
export const CROSS_ENTROPY_SIMD: SimdModule<CrossEntropySimd> = simdModule<CrossEntropySimd>({ stats, grad });
