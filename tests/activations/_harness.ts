/**
 * Test helpers: backends to cover, input rows, and running an activation with
 * its gradients on the active backend (reading results with `await data()`,
 * which works on webgpu too).
 * @module
 */
import assert from "node:assert/strict";
import { type BackendName, initBackend, probeWebGPU, tf } from "../../src/backend/mod.ts";
import type { Rng } from "../../src/util/rng.ts";
import type { Rows } from "./_f64.ts";

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

/** Rows of normal(0, scale) values. */
export function normalRows(rng: Rng, rows: number, n: number, scale = 1): Rows {
  return Array.from({ length: rows }, () => Array.from({ length: n }, () => scale * rng.normal()));
}

/**
 * A mixed batch: ordinary rows, an all-zero row, a row with |x| ≈ 50, a tiny
 * row where eps dominates the norms, a single spike, and a row of equal values.
 */
export function mixedRows(rng: Rng, n: number): Rows {
  const rows = normalRows(rng, 3, n);
  rows.push(new Array(n).fill(0));
  rows.push(Array.from({ length: n }, () => (rng.next() < 0.5 ? -1 : 1) * (45 + 5 * rng.next())));
  rows.push(normalRows(rng, 1, n, 1e-3)[0]);
  rows.push(Array.from({ length: n }, (_, j) => (j === Math.floor(n / 2) ? -7 : 0)));
  rows.push(new Array(n).fill(0.5));
  return rows;
}

/** The values an activation and its gradients took on the backend. */
export interface Evaluated {
  y: Float32Array;
  dx: Float32Array;
  da: Float32Array;
}

/**
 * Runs `f(x, a)` and the gradients of Σ w ⊙ f(x, a) with respect to x and a;
 * checks that no tensor leaks.
 */
export async function evaluate(
  f: (x: tf.Tensor, a: tf.Tensor1D) => tf.Tensor,
  x: Rows,
  a: number[],
  w: Rows,
  shape?: number[],
): Promise<Evaluated> {
  const before = tf.memory().numTensors;
  const n = x[0].length;
  const xShape = shape ?? [x.length, n];
  const xt = tf.tensor(x.flat(), xShape);
  const at = tf.tensor1d(a);
  const wt = tf.tensor(w.flat(), xShape);
  const [y, dx, da] = tf.tidy(() => {
    const grads = tf.grads((xs: tf.Tensor, as: tf.Tensor) => tf.sum(tf.mul(f(xs, as as tf.Tensor1D), wt)));
    const [gx, ga] = grads([xt, at]);
    return [f(xt, at), gx, ga];
  });
  assert.deepEqual(y.shape, xShape);
  assert.deepEqual(dx.shape, xShape);
  assert.deepEqual(da.shape, [a.length]);
  const out = {
    y: (await y.data()) as Float32Array,
    dx: (await dx.data()) as Float32Array,
    da: (await da.data()) as Float32Array,
  };
  tf.dispose([xt, at, wt, y, dx, da]);
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  return out;
}
