/**
 * Helpers of the fused-kernel tests: the backends to cover (webgpu skipped
 * with a visible reason when there is no adapter), test rows, an independent
 * float64 RMSNorm in plain TypeScript written from the definition, finite
 * differences of it, and running an op with its gradients on the active
 * backend (reading results with `await data()`, which works on webgpu too).
 * @module
 */
import assert from "node:assert/strict";
import { type BackendName, initBackend, probeWebGPU, tf } from "../../src/backend/mod.ts";
import type { Rng } from "../../src/util/rng.ts";

/** A batch of rows. */
export type Rows = number[][];

const adapter = await probeWebGPU();

/** Each backend with the reason its tests are skipped (null when they run). */
export const BACKENDS: { name: BackendName; skip: string | null }[] = [
  { name: "cpu", skip: null },
  { name: "wasm", skip: null },
  { name: "webgpu", skip: adapter === null ? "no WebGPU adapter (install mesa-vulkan-drivers for lavapipe)" : null },
];

/** Test name with the backend, and the skip reason when there is one. */
export function testName(title: string, backend: { name: string; skip: string | null }): string {
  return `${title} [${backend.name}]${backend.skip ? ` (skipped: ${backend.skip})` : ""}`;
}

/** Starts a backend (once per switch). */
export async function useBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() !== name) await initBackend(name);
}

/** Rows of normal(0, scale) values, rounded to float32 so the reference sees what the kernels see. */
export function normalRows(rng: Rng, rows: number, n: number, scale = 1): Rows {
  return Array.from({ length: rows }, () => Array.from({ length: n }, () => Math.fround(scale * rng.normal())));
}

/**
 * Ordinary rows plus an all-zero row, a row with |x| ≈ 50, a tiny row where
 * eps dominates mean(x²), a single spike and a row of equal values.
 */
export function mixedRows(rng: Rng, n: number): Rows {
  const rows = normalRows(rng, 3, n);
  rows.push(new Array(n).fill(0));
  rows.push(Array.from({ length: n }, () => Math.fround((rng.next() < 0.5 ? -1 : 1) * (45 + 5 * rng.next()))));
  rows.push(normalRows(rng, 1, n, 1e-3)[0]);
  rows.push(Array.from({ length: n }, (_, j) => (j === Math.floor(n / 2) ? -7 : 0)));
  rows.push(new Array(n).fill(0.5));
  return rows;
}

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

/** Central finite differences of L(x, w) = Σ g ⊙ f(x, w) in float64. */
export function finiteDifferences(
  f: (x: Rows, w: number[]) => Rows,
  x: Rows,
  w: number[],
  g: Rows,
): { dx: Rows; dw: number[] } {
  const loss = (xs: Rows, ws: number[]) =>
    f(xs, ws).reduce((t, row, k) => row.reduce((u, v, j) => u + v * g[k][j], t), 0);
  const step = (v: number) => 1e-6 * Math.max(1, Math.abs(v));
  const dx = x.map((row, k) =>
    row.map((v, j) => {
      const h = step(v);
      const plus = x.map((r) => r.slice());
      const minus = x.map((r) => r.slice());
      plus[k][j] = v + h;
      minus[k][j] = v - h;
      return (loss(plus, w) - loss(minus, w)) / (2 * h);
    })
  );
  const dw = w.map((v, i) => {
    const h = step(v);
    const plus = w.slice();
    const minus = w.slice();
    plus[i] = v + h;
    minus[i] = v - h;
    return (loss(x, plus) - loss(x, minus)) / (2 * h);
  });
  return { dx, dw };
}

/**
 * Largest |got − want| over rows of length n, each relative to
 * max(1e-30, max |want| in that row); NaN where want is finite counts as Infinity.
 */
export function maxRowError(got: ArrayLike<number>, want: ArrayLike<number>, n: number): number {
  let worst = 0;
  for (let start = 0; start < want.length; start += n) {
    let scale = 1e-30;
    for (let j = start; j < start + n; j++) scale = Math.max(scale, Math.abs(want[j]));
    for (let j = start; j < start + n; j++) {
      const e = Math.abs(got[j] - want[j]) / scale;
      worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
    }
  }
  return worst;
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

/** The values an op and its gradients took on the backend. */
export interface Evaluated {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

/**
 * Runs `f(x, w)` and the gradients of Σ g ⊙ f(x, w) with respect to x and w;
 * checks that no tensor leaks.
 */
export async function evaluate(
  f: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor,
  x: Rows,
  w: number[],
  g: Rows,
  shape?: number[],
): Promise<Evaluated> {
  const before = tf.memory().numTensors;
  const xShape = shape ?? [x.length, x[0].length];
  const xt = tf.tensor(x.flat(), xShape);
  const wt = tf.tensor1d(w);
  const gt = tf.tensor(g.flat(), xShape);
  const [y, dx, dw] = tf.tidy(() => {
    const [gx, gw] = tf.grads((xs: tf.Tensor, ws: tf.Tensor) => tf.sum(tf.mul(f(xs, ws), gt)))([xt, wt]);
    return [f(xt, wt), gx, gw];
  });
  assert.deepEqual(y.shape, xShape);
  assert.deepEqual(dx.shape, xShape);
  assert.deepEqual(dw.shape, [w.length]);
  const out = {
    y: (await y.data()) as Float32Array,
    dx: (await dx.data()) as Float32Array,
    dw: (await dw.data()) as Float32Array,
  };
  tf.dispose([xt, wt, gt, y, dx, dw]);
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  return out;
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
