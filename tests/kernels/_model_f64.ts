/**
 * Independent float64 references of the model's fused-kernel tests, in plain
 * TypeScript written from the definitions: RMSNorm and its gradients, and
 * softmax cross-entropy and its gradient. Finite differences, the row error
 * and the backend harness are in tests/_f64.ts and tests/_backend_harness.ts.
 * @module
 */
import type { Rows } from "../_f64.ts";

/** RMSNorm(x) = x / sqrt(mean(x²) + eps) · w, row by row, in float64. */
export function rmsNorm64(x: Rows, w: number[], eps: number): Rows {
  return x.map((row) => {
    const ms = row.reduce((t, v) => t + v * v, 0) / row.length;
    return row.map((v, j) => (v / Math.sqrt(ms + eps)) * w[j]);
  });
}

/**
 * Gradients of Σ g ⊙ RMSNorm(x, w) with respect to x and w, in float64 from
 * the chain rule: y_j = x_j·s·w_j with s = (mean(x²) + eps)^(-1/2) and
 * ∂s/∂x_k = −s³·x_k/n.
 */
export function rmsNormGrad64(x: Rows, w: number[], eps: number, g: Rows): { dx: Rows; dw: number[] } {
  const dw = new Array(w.length).fill(0);
  const dx = x.map((row, k) => {
    const n = row.length;
    const s = 1 / Math.sqrt(row.reduce((t, v) => t + v * v, 0) / n + eps);
    let viaScale = 0;
    row.forEach((v, j) => {
      viaScale += g[k][j] * v * w[j];
      dw[j] += g[k][j] * v * s;
    });
    return row.map((v, j) => g[k][j] * w[j] * s - viaScale * s * s * s * v / n);
  });
  return { dx, dw };
}

/** Largest |got_i − want_i| / scale_i (scale: what the sum would be without cancellation). */
export function maxScaledError(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) / Math.max(scale[i], 1e-30);
    worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
  }
  return worst;
}

/** Each row's log Σ exp(x) − x[label], in float64 (max subtracted first). */
export function crossEntropy64(logits: Rows, labels: number[]): number[] {
  return logits.map((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((t, v) => t + Math.exp(v - m), 0));
    return lse - row[labels[i]];
  });
}

/** Gradient of Σ g_i · loss_i with respect to the logits: g_i · (softmax − onehot), in float64. */
export function crossEntropyGrad64(logits: Rows, labels: number[], g: number[]): Rows {
  return logits.map((row, i) => {
    const m = Math.max(...row);
    const total = row.reduce((t, v) => t + Math.exp(v - m), 0);
    return row.map((v, j) => g[i] * (Math.exp(v - m) / total - (j === labels[i] ? 1 : 0)));
  });
}
