/**
 * RMSNorm's row passes in wasm SIMD (f32x4), written with `../_wasm/expr.ts`:
 * the `wasm` kernels run them on staged rows (`../_wasm/staged.ts`) from every
 * heap thread. Rows are `n` floats with `n` a multiple of 4 (the kernels use
 * the JavaScript loops otherwise). Sums run in four f32 lanes added in one
 * fixed order, the same arithmetic as a float32 framework's, in place of the
 * float64 sums of the `cpu` kernels (which differ from these by float32
 * rounding, well inside the tests' tolerance).
 *
 * - `fwd(x, w, y, rows, n, nf, eps)`: y = x · r · w, r = 1/√(Σx²/n + eps)
 * - `bwd(dy, x, w, dx, dw, rows, n, nf, eps)`: dx = r·w·dy − x·(Σ dy·w·x)·r³/n,
 *   and dw += dy·x·r over the rows (dw: n floats of the block's scratch)
 *
 * Pointers are byte offsets into the bound memory; `nf` is n as an f32.
 * @module
 */
import { F32, FuncBuilder, I32, OP, V128 } from "../_wasm/asm.ts";
import { accumulate4, assign, countDown, f32, get, load4, locals, quads, store4, v4 } from "../_wasm/expr.ts";
import { type SimdModule, simdModule } from "../_wasm/staged.ts";

/** The module's exports. */
export interface RmsNormSimd {
  fwd(x: number, w: number, y: number, rows: number, n: number, nf: number, eps: number): void;
  bwd(dy: number, x: number, w: number, dx: number, dw: number, rows: number, n: number, nf: number, eps: number): void;
}

/** r = 1 / √(s / nf + eps). */
const inverseRms = (s: number, nf: number, eps: number) =>
  f32.div(f32.of(1), f32.sqrt(f32.add(f32.div(get(s), get(nf)), get(eps))));

/** `for each of rows rows { row(); advance each pointer by a row }`. */
function eachRow(f: FuncBuilder, rows: number, n: number, pointers: number[], row: () => void): void {
  const rowBytes = f.local(I32);
  f.get(n).i32(2).op(OP.i32Shl).set(rowBytes);
  countDown(f, get(rows), 1, [], () => {
    row();
    for (const p of pointers) f.addLocal(p, rowBytes);
  });
}

function forward(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32, F32, F32]);
  const [x, w, y, rows, n, nf, eps] = [0, 1, 2, 3, 4, 5, 6];
  const [p, q, o] = locals(f, I32, 3);
  const [acc, rv] = locals(f, V128, 2);
  const r = f.local(F32);
  eachRow(f, rows, n, [x, y], () => {
    assign(f, acc, v4.of(0));
    assign(f, p, get(x));
    quads(f, get(n), [p], (k) => accumulate4(f, acc, v4.mul(load4(get(p), k), load4(get(p), k))));
    assign(f, r, f32.sumLanes(get(acc)));
    assign(f, rv, v4.splat(inverseRms(r, nf, eps)));
    assign(f, p, get(x));
    assign(f, q, get(w));
    assign(f, o, get(y));
    quads(f, get(n), [p, q, o], (k) => {
      store4(f, get(o), v4.mul(v4.mul(load4(get(p), k), get(rv)), load4(get(q), k)), k);
    });
  });
  return f;
}

function backward(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32, I32, I32, F32, F32]);
  const [dy, x, w, dx, dw, rows, n, nf, eps] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [p, g, q, o, a] = locals(f, I32, 5);
  const [sq, dot, rv, cv, v, gv] = locals(f, V128, 6);
  const [r, c] = locals(f, F32, 2);
  eachRow(f, rows, n, [dy, x, dx], () => {
    assign(f, sq, v4.of(0));
    assign(f, dot, v4.of(0));
    assign(f, p, get(x));
    assign(f, g, get(dy));
    assign(f, q, get(w));
    quads(f, get(n), [p, g, q], (k) => {
      assign(f, v, load4(get(p), k));
      accumulate4(f, sq, v4.mul(get(v), get(v)));
      accumulate4(f, dot, v4.mul(v4.mul(load4(get(g), k), load4(get(q), k)), get(v)));
    });
    assign(f, r, f32.sumLanes(get(sq)));
    assign(f, r, inverseRms(r, nf, eps));
    // c = (Σ dy·w·x) · r³ / n
    assign(f, c, f32.div(f32.mul(f32.mul(f32.mul(f32.sumLanes(get(dot)), get(r)), get(r)), get(r)), get(nf)));
    assign(f, rv, v4.splat(get(r)));
    assign(f, cv, v4.splat(get(c)));
    assign(f, p, get(x));
    assign(f, g, get(dy));
    assign(f, q, get(w));
    assign(f, o, get(dx));
    assign(f, a, get(dw));
    quads(f, get(n), [p, g, q, o, a], (k) => {
      assign(f, v, load4(get(p), k));
      assign(f, gv, load4(get(g), k));
      store4(f, get(o), v4.sub(v4.mul(v4.mul(get(rv), load4(get(q), k)), get(gv)), v4.mul(get(v), get(cv))), k);
      store4(f, get(a), v4.add(load4(get(a), k), v4.mul(v4.mul(get(gv), get(v)), get(rv))), k);
    });
  });
  return f;
}

/** The module (compiled at first use, bound per memory). */
export const RMS_NORM_SIMD: SimdModule<RmsNormSimd> = simdModule<RmsNormSimd>({ fwd: forward, bwd: backward });
