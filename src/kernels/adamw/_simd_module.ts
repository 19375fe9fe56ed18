/**
 * The AdamW update of `./math.ts` in wasm SIMD (f32x4), written with
 * `../_wasm/expr.ts`: the `wasm` kernel runs it on staged blocks
 * (`../_wasm/staged.ts`) from every heap thread. Each operation is one IEEE
 * single-precision operation in the order {@linkcode adamwUpdate} rounds
 * them, so the bits are those of the JavaScript loop (whose float64 steps
 * each rounded to float32 equal the float32 operation: `+ − × ÷ √` round
 * correctly twice) and of the unfused ops.
 *
 * - `step(p, g, m, v, pOut, mOut, vOut, n, b1, b1c, b2, b2c, bc2, eps, lr, decay)`:
 *   m' = m·β1 + g·(1−β1), v' = v·β2 + (g·g)·(1−β2),
 *   p' = p·decay − (m' / (√v' / bc2 + eps))·lr
 * - `still(p, m, v, pOut, mOut, vOut, n, …the same constants)`: the same
 *   without a gradient, m' = m·β1, v' = v·β2
 *
 * `lr` is the bias-corrected step and `decay` 1 − lr·λ (1 for a parameter
 * that does not decay: ×1 changes no number). `n` is a multiple of 4 (the
 * caller rounds up; the staging blocks have room). Pointers are byte offsets
 * into the bound memory.
 * @module
 */
import { F32, FuncBuilder, I32, V128, type ValType } from "../_wasm/asm.ts";
import { assign, type Expr, get, load4, quads, store4, v4 } from "../_wasm/expr.ts";
import { type SimdModule, simdModule } from "../_wasm/staged.ts";

/** The module's exports (the constants are float32 values). */
export interface AdamWSimd {
  step(
    p: number,
    g: number,
    m: number,
    v: number,
    pOut: number,
    mOut: number,
    vOut: number,
    n: number,
    ...constants: AdamWSimdConstants
  ): void;
  still(
    p: number,
    m: number,
    v: number,
    pOut: number,
    mOut: number,
    vOut: number,
    n: number,
    ...constants: AdamWSimdConstants
  ): void;
}

/** `[b1, b1c, b2, b2c, bc2, eps, step, decay]`, the order of the task's args. */
export type AdamWSimdConstants = [number, number, number, number, number, number, number, number];

const CONSTANTS = ["b1", "b1c", "b2", "b2c", "bc2", "eps", "step", "decay"] as const;

function update(withGrad: boolean): FuncBuilder {
  const pointers = withGrad ? 7 : 6;
  const params: ValType[] = [
    ...Array.from({ length: pointers + 1 }, (): ValType => I32),
    ...CONSTANTS.map((): ValType => F32),
  ];
  const f = new FuncBuilder(params);
  const [p, g, m, v, pOut, mOut, vOut] = withGrad ? [0, 1, 2, 3, 4, 5, 6] : [0, -1, 1, 2, 3, 4, 5];
  const n = pointers;
  // Each constant splatted once, before the loop.
  const c = Object.fromEntries(CONSTANTS.map((name, i) => {
    const local = f.local(V128);
    assign(f, local, v4.splat(get(n + 1 + i)));
    return [name, get(local)];
  })) as Record<typeof CONSTANTS[number], Expr>;
  const [gi, mi, vi] = [f.local(V128), f.local(V128), f.local(V128)];
  const moving = withGrad ? [p, g, m, v, pOut, mOut, vOut] : [p, m, v, pOut, mOut, vOut];
  quads(f, get(n), moving, (k) => {
    if (withGrad) {
      assign(f, gi, load4(get(g), k));
      assign(f, mi, v4.add(v4.mul(load4(get(m), k), c.b1), v4.mul(get(gi), c.b1c)));
      assign(f, vi, v4.add(v4.mul(load4(get(v), k), c.b2), v4.mul(v4.mul(get(gi), get(gi)), c.b2c)));
    } else {
      assign(f, mi, v4.mul(load4(get(m), k), c.b1));
      assign(f, vi, v4.mul(load4(get(v), k), c.b2));
    }
    const denom = v4.add(v4.div(v4.sqrt(get(vi)), c.bc2), c.eps);
    store4(f, get(pOut), v4.sub(v4.mul(load4(get(p), k), c.decay), v4.mul(v4.div(get(mi), denom), c.step)), k);
    store4(f, get(mOut), get(mi), k);
    store4(f, get(vOut), get(vi), k);
  });
  return f;
}

/** The module (compiled at first use, bound per memory). */
export const ADAMW_SIMD: SimdModule<AdamWSimd> = simdModule<AdamWSimd>({
  step: () => update(true),
  still: () => update(false),
});
