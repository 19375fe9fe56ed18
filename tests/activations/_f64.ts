/**
 * Independent float64 references for the activation tests: closed forms in
 * plain TypeScript on number[][] rows, written straight from the definitions
 * (no scaling tricks, no shared code with src/). Finite differences and the
 * error measure are in tests/_f64.ts.
 * @module
 */
import type { Rows } from "../_f64.ts";
import { erf } from "../../src/util/erf.ts";

function norms(row: number[], order: number, eps: number): number[] {
  const s = [0];
  for (let i = 1; i <= order; i++) {
    let mean = 0;
    for (const v of row) mean += v ** (2 * i);
    s.push(Math.sqrt(mean / row.length + eps));
  }
  return s;
}

/** PolyNorm(x) = a0 + Σ a_i x^i / sqrt(mean(x^2i) + eps), row by row. */
export function polyNorm64(x: Rows, a: number[], eps: number): Rows {
  const r = a.length - 1;
  return x.map((row) => {
    const s = norms(row, r, eps);
    return row.map((v) => {
      let y = a[0];
      for (let i = 1; i <= r; i++) y += (a[i] * v ** i) / s[i];
      return y;
    });
  });
}

/** Gradients of Σ w ⊙ PolyNorm(x) with respect to x and a (closed form). */
export function polyNormGrad64(x: Rows, a: number[], eps: number, w: Rows): { dx: Rows; da: number[] } {
  const r = a.length - 1;
  const da = new Array(r + 1).fill(0);
  const dx = x.map((row, k) => {
    const n = row.length;
    const s = norms(row, r, eps);
    const wr = w[k];
    const dots = [0];
    for (let i = 1; i <= r; i++) {
      let c = 0;
      for (let j = 0; j < n; j++) c += wr[j] * row[j] ** i;
      dots.push(c);
      da[i] += c / s[i];
    }
    for (const v of wr) da[0] += v;
    return row.map((v, j) => {
      let g = 0;
      for (let i = 1; i <= r; i++) {
        // d/dx_j of x_k^i / s_i, summed against w: s_i depends on x_j through mean(x^2i).
        const direct = (i * v ** (i - 1) * wr[j]) / s[i];
        const viaNorm = (dots[i] * i * v ** (2 * i - 1)) / (n * s[i] ** 3);
        g += a[i] * (direct - viaNorm);
      }
      return g;
    });
  });
  return { dx, da };
}

/** PolyReLU(x) = a0 + Σ a_i relu(x)^i. */
export function polyReLU64(x: Rows, a: number[]): Rows {
  return x.map((row) =>
    row.map((v) => {
      const p = Math.max(v, 0);
      let y = a[0];
      for (let i = 1; i < a.length; i++) y += a[i] * p ** i;
      return y;
    })
  );
}

/** Gradients of Σ w ⊙ PolyReLU(x) (relu'(0) = 0, as tfjs). */
export function polyReLUGrad64(x: Rows, a: number[], w: Rows): { dx: Rows; da: number[] } {
  const da = new Array(a.length).fill(0);
  const dx = x.map((row, k) =>
    row.map((v, j) => {
      const p = Math.max(v, 0);
      for (let i = 0; i < a.length; i++) da[i] += w[k][j] * p ** i;
      if (v <= 0) return 0;
      let d = 0;
      for (let i = 1; i < a.length; i++) d += i * a[i] * p ** (i - 1);
      return w[k][j] * d;
    })
  );
  return { dx, da };
}

/** erf in float64 (src/util/erf.ts: series below 2.5, continued fraction beyond, ~1e-15). */
export const erf64 = erf;

/** GELU (erf form) and its derivative Φ(x) + x·φ(x). */
export function gelu64(x: number): { y: number; dy: number } {
  const cdf = 0.5 * (1 + erf64(x / Math.SQRT2));
  const pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  return { y: x * cdf, dy: cdf + x * pdf };
}

/** SiLU x·σ(x) and its derivative σ(x)(1 + x(1 − σ(x))). */
export function silu64(x: number): { y: number; dy: number } {
  const s = 1 / (1 + Math.exp(-x));
  return { y: x * s, dy: s * (1 + x * (1 - s)) };
}

/** ReLU² and its derivative 2·relu(x). */
export function relu2_64(x: number): { y: number; dy: number } {
  const p = Math.max(x, 0);
  return { y: p * p, dy: 2 * p };
}
