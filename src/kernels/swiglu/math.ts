/**
 * The elementwise passes of fused SwiGLU, `silu(gate) · up` with
 * `silu(g) = g·σ(g)`: σ(gate) and the forward, and the backward of both
 * inputs, as JavaScript loops (the `cpu` kernels) and as heap-thread tasks
 * (the `wasm` kernels), which run the SIMD passes of `./_simd_module.ts` on
 * staged blocks, or these loops where the runtime has no wasm SIMD.
 * @module
 */

/**
 * `σ(g) = 1 / (1 + e^-g)` into `s`, as tfjs's cpu Sigmoid computes it.
 *
 * @example
 * ```ts
 * const s = new Float32Array(2);
 * sigmoidInto(Float32Array.of(0, 2), s); // s ≈ [0.5, 0.881]
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
 * const gate = Float32Array.of(0, 2), up = Float32Array.of(1, 3);
 * const s = new Float32Array(2), out = new Float32Array(2);
 * sigmoidInto(gate, s);
 * swigluForwardInto(gate, up, s, out); // out ≈ [0, 5.285]
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
 * const dy = Float32Array.of(1, 1), gate = Float32Array.of(0, 2), up = Float32Array.of(1, 3);
 * const s = new Float32Array(2), dGate = new Float32Array(2), dUp = new Float32Array(2);
 * sigmoidInto(gate, s);
 * swigluBackwardInto(dy, gate, up, s, dGate, dUp); // dUp = gate·σ(gate) ≈ [0, 1.762]
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
