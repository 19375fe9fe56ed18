/**
 * The elementwise passes of fused SwiGLU, `silu(gate) · up` with
 * `silu(g) = g·σ(g)`: the forward from σ(gate) (computed by the backend's own
 * sigmoid, so values match the unfused ops) and the backward of both inputs.
 * @module
 */
import { partRange } from "../parallel/split.ts";

/**
 * `σ(g) = 1 / (1 + e^-g)` into `s`, as tfjs's cpu Sigmoid computes it.
 *
 * @example
 * ```ts
 * sigmoidInto(gate, s);
 * ```
 */
export function sigmoidInto(g: Float32Array, s: Float32Array): void {
  for (let i = 0; i < g.length; i++) s[i] = 1 / (1 + Math.exp(-g[i]));
}

/**
 * `out = (g·σ(g))·u`, each product rounded to float32 as the unfused ops do.
 *
 * @example
 * ```ts
 * swigluForwardInto(gate, up, s, out);
 * ```
 */
export function swigluForwardInto(g: Float32Array, u: Float32Array, s: Float32Array, out: Float32Array): void {
  for (let i = 0; i < g.length; i++) out[i] = Math.fround(g[i] * s[i]) * u[i];
}

/**
 * The gradients of `(g·σ(g))·u`: `du = dy·g·σ(g)` and
 * `dg = dy·u·σ(g)·(1 + g·(1 − σ(g)))`.
 *
 * @example
 * ```ts
 * swigluBackwardInto(dy, gate, up, s, dGate, dUp);
 * ```
 */
export function swigluBackwardInto(
  dy: Float32Array,
  g: Float32Array,
  u: Float32Array,
  s: Float32Array,
  dg: Float32Array,
  du: Float32Array,
): void {
  for (let i = 0; i < g.length; i++) {
    const gi = g[i], si = s[i];
    du[i] = dy[i] * Math.fround(gi * si);
    dg[i] = dy[i] * u[i] * si * (1 + gi * (1 - si));
  }
}

/**
 * {@linkcode swigluForwardInto} as a heap-thread task: args `[g, u, s, out, n]`
 * (element offsets into the heap and the element count).
 *
 * @example
 * ```ts
 * swigluForwardTask(heap, Float64Array.of(0, 8, 16, 24, 8), 0, 1, new Float64Array(0));
 * ```
 */
export function swigluForwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [g, u, s, out, n] = args;
  const [lo, hi] = partRange(n, part, parts, 16);
  const at = (offset: number) => heap.subarray(offset + lo, offset + hi);
  swigluForwardInto(at(g), at(u), at(s), at(out));
}

/**
 * {@linkcode swigluBackwardInto} as a heap-thread task: args
 * `[dy, g, u, s, dg, du, n]`.
 *
 * @example
 * ```ts
 * swigluBackwardTask(heap, Float64Array.of(0, 8, 16, 24, 32, 40, 8), 0, 1, new Float64Array(0));
 * ```
 */
export function swigluBackwardTask(heap: Float32Array, args: Float64Array, part: number, parts: number): void {
  const [dy, g, u, s, dg, du, n] = args;
  const [lo, hi] = partRange(n, part, parts, 16);
  const at = (offset: number) => heap.subarray(offset + lo, offset + hi);
  swigluBackwardInto(at(dy), at(g), at(u), at(s), at(dg), at(du));
}
