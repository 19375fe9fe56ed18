/**
 * Global-norm clipping's passes in wasm SIMD (f32x4), for the `wasm` kernel's
 * heap tasks (on chunks copied into each thread's staging memory):
 *
 * - `sumsq(p, n)`: Σ x² over n floats (four f32 lanes, added in one fixed
 *   order at the end, then the last n mod 4 one at a time), as an f32
 * - `scale(p, n, s)`: p[i] = p[i] · s in place (the same bits as JavaScript's
 *   float32 `g · s`: one rounding of the exact product)
 * @module
 */
import { F32, FuncBuilder, I32, V128 } from "../_wasm/asm.ts";
import {
  accumulate4,
  assign,
  eachTail,
  f32,
  get,
  load4,
  quads,
  store4,
  storeF32,
  v4,
  wholeQuads,
} from "../_wasm/expr.ts";
import { type SimdModule, simdModule } from "../_wasm/staged.ts";

/** The module's exports. */
export interface ClipSimd {
  sumsq(p: number, n: number): number;
  scale(p: number, n: number, s: number): void;
}

function sumSquares(): FuncBuilder {
  const f = new FuncBuilder([I32, I32], [F32]);
  const [p, n] = [0, 1];
  const acc = f.local(V128), s = f.local(F32);
  assign(f, acc, v4.of(0));
  quads(f, wholeQuads(n), [p], (k) => accumulate4(f, acc, v4.mul(load4(get(p), k), load4(get(p), k))));
  assign(f, s, f32.sumLanes(get(acc)));
  eachTail(f, n, [p], () => assign(f, s, f32.add(get(s), f32.mul(f32.load(get(p)), f32.load(get(p))))));
  f.get(s);
  return f;
}

function scale(): FuncBuilder {
  const f = new FuncBuilder([I32, I32, F32]);
  const [p, n, s] = [0, 1, 2];
  const sv = f.local(V128);
  assign(f, sv, v4.splat(get(s)));
  quads(f, wholeQuads(n), [p], (k) => store4(f, get(p), v4.mul(load4(get(p), k), get(sv)), k));
  eachTail(f, n, [p], () => storeF32(f, get(p), f32.mul(f32.load(get(p)), get(s))));
  return f;
}

/** The module (compiled at first use, bound per memory). */
export const CLIP_SIMD: SimdModule<ClipSimd> = simdModule<ClipSimd>({ sumsq: sumSquares, scale });
