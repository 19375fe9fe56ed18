/**
 * RoPE's rotation fused with the head transpose in wasm SIMD (f32x4), written
 * with `../_wasm/expr.ts`: the `wasm` kernels run it on staged blocks
 * (`../_wasm/staged.ts`) from every heap thread. A block is `positions`
 * consecutive positions of one sequence: `[positions, heads, headDim]` on the
 * `[batch, seq, heads, headDim]` side ("PH"), `[heads, positions, headDim]` on
 * the `[batch, heads, seq, headDim]` side ("HP"); `half` = headDim / 2 is a
 * multiple of 4.
 *
 * - `fwd(x, y, cos, sin, positions, heads, half)`: x PH → y HP,
 *   `y1 = x1·c − x2·s`, `y2 = x2·c + x1·s`
 * - `bwd(dy, dx, cos, sin, positions, heads, half)`: dy HP → dx PH,
 *   `dx1 = dy1·c + dy2·s`, `dx2 = dy2·c − dy1·s`
 *
 * `cos` and `sin` point at the block's first table row (headDim floats a
 * position). Only the first half of each row is read: `ropeTables` writes
 * the same value at `i` and `half + i`. Each product and each sum is one
 * float32 operation, so the results are the bits of the JavaScript loops
 * (`Math.fround` of each product, a float32 sum).
 *
 * Pointers are byte offsets into the bound memory.
 * @module
 */
import { FuncBuilder, I32, OP, V128 } from "../_wasm/asm.ts";
import { assign, countDown, get, load4, locals, quads, store4, v4 } from "../_wasm/expr.ts";
import { type SimdModule, simdModule } from "../_wasm/staged.ts";

/** The module's exports. */
export interface RopeSimd {
  fwd(x: number, y: number, cos: number, sin: number, positions: number, heads: number, half: number): void;
  bwd(dy: number, dx: number, cos: number, sin: number, positions: number, heads: number, half: number): void;
}

/** One direction: the PH side is read (forward) or written (backward) row after row, the HP side a head apart. */
function pass(forward: boolean): FuncBuilder {
  const f = new FuncBuilder([I32, I32, I32, I32, I32, I32, I32]);
  const [src, dst, cos, sin, positions, heads, half] = [0, 1, 2, 3, 4, 5, 6];
  const [rowBytes, halfBytes, headBytes, ph, hpRow, hp, a1, a2, o1, o2, c, s] = locals(f, I32, 12);
  const [x1, x2, cv, sv] = locals(f, V128, 4);
  f.get(half).i32(3).op(OP.i32Shl).set(rowBytes);
  f.get(half).i32(2).op(OP.i32Shl).set(halfBytes);
  f.get(positions).get(rowBytes).op(OP.i32Mul).set(headBytes);
  assign(f, ph, get(forward ? src : dst));
  assign(f, hpRow, get(forward ? dst : src));
  countDown(f, get(positions), 1, [], () => {
    assign(f, hp, get(hpRow));
    countDown(f, get(heads), 1, [], () => {
      assign(f, a1, get(forward ? ph : hp));
      assign(f, o1, get(forward ? hp : ph));
      f.get(a1).get(halfBytes).op(OP.i32Add).set(a2);
      f.get(o1).get(halfBytes).op(OP.i32Add).set(o2);
      assign(f, c, get(cos));
      assign(f, s, get(sin));
      quads(f, get(half), [a1, a2, o1, o2, c, s], (k) => {
        assign(f, x1, load4(get(a1), k));
        assign(f, x2, load4(get(a2), k));
        assign(f, cv, load4(get(c), k));
        assign(f, sv, load4(get(s), k));
        const [first, second] = forward ? [v4.sub, v4.add] : [v4.add, v4.sub];
        store4(f, get(o1), first(v4.mul(get(x1), get(cv)), v4.mul(get(x2), get(sv))), k);
        store4(f, get(o2), second(v4.mul(get(x2), get(cv)), v4.mul(get(x1), get(sv))), k);
      });
      f.addLocal(ph, rowBytes);
      f.addLocal(hp, headBytes);
    });
    f.addLocal(hpRow, rowBytes);
    f.addLocal(cos, rowBytes);
    f.addLocal(sin, rowBytes);
  });
  return f;
}

/** The module (compiled at first use, bound per memory). */
export const ROPE_SIMD: SimdModule<RopeSimd> = simdModule<RopeSimd>({ fwd: () => pass(true), bwd: () => pass(false) });
