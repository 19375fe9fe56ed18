/**
 * The AdamW update of one parameter as plain loops, rounding to float32
 * after every operation in the order the unfused tfjs ops compute it, so the
 * fused kernel gives the same bits as `mul`/`add`/`sqrt`/`div`/`sub` did.
 * @module
 */

/** Float32 constants of one AdamW step (as `tf.scalar` holds them). */
export interface AdamWConstants {
  b1: number;
  /** 1 − β1 */
  b1c: number;
  b2: number;
  /** 1 − β2 */
  b2c: number;
  /** sqrt(1 − β2^t) */
  bc2: number;
  eps: number;
  /** lr / (1 − β1^t) */
  step: number;
  /** 1 − lr·λ */
  decay: number;
}

/**
 * The constants of step `t` (1-based), each rounded to float32.
 *
 * @example
 * ```ts
 * const c = adamwConstants([0.9, 0.95], 1e-8, 0.1, 3e-4, 1);
 * ```
 */
export function adamwConstants(
  betas: readonly [number, number],
  eps: number,
  weightDecay: number,
  lr: number,
  t: number,
): AdamWConstants {
  const [b1, b2] = betas;
  const f = Math.fround;
  return {
    b1: f(b1),
    b1c: f(1 - b1),
    b2: f(b2),
    b2c: f(1 - b2),
    bc2: f(Math.sqrt(1 - Math.pow(b2, t))),
    eps: f(eps),
    step: f(lr / (1 - Math.pow(b1, t))),
    decay: f(1 - lr * weightDecay),
  };
}

/**
 * One AdamW update: `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`,
 * `p ← p·decay − step · m / (sqrt(v)/bc2 + eps)`; `g === null` is a zero
 * gradient (the moments only decay), `decay` false skips weight decay.
 * Writes into `pOut`, `mOut`, `vOut`, which may be `p`, `m`, `v` themselves.
 *
 * @example
 * ```ts
 * const p = Float32Array.of(1, -1), g = Float32Array.of(0.5, 0.5);
 * const m = new Float32Array(2), v = new Float32Array(2);
 * adamwUpdate(p, g, m, v, p, m, v, adamwConstants([0.9, 0.95], 1e-8, 0.1, 1e-3, 1), true);
 * ```
 */
export function adamwUpdate(
  p: Float32Array,
  g: Float32Array | null,
  m: Float32Array,
  v: Float32Array,
  pOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  c: AdamWConstants,
  decay: boolean,
): void {
  const f = Math.fround;
  const { b1, b1c, b2, b2c, bc2, eps, step } = c;
  const decayFactor = decay && c.decay !== 1 ? c.decay : 1;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    let mi: number, vi: number;
    if (g) {
      const gi = g[i];
      mi = f(f(m[i] * b1) + f(gi * b1c));
      vi = f(f(v[i] * b2) + f(f(gi * gi) * b2c));
    } else {
      mi = f(m[i] * b1);
      vi = f(v[i] * b2);
    }
    const denom = f(f(f(Math.sqrt(vi)) / bc2) + eps);
    const pi = decayFactor === 1 ? p[i] : f(p[i] * decayFactor);
    pOut[i] = pi - f(f(mi / denom) * step);
    mOut[i] = mi;
    vOut[i] = vi;
  }
}
