/**
 * Backend harness shared by the fused-kernel tests (activations and model):
 * the backends to cover (webgpu skipped with a visible reason when there is
 * no adapter), test rows, and running an op with its gradients on the active
 * backend (reading results with `await data()`, which works on webgpu too).
 * @module
 */
import assert from "node:assert/strict";
import { type BackendName, initBackend, probeWebGPU, tf } from "../src/backend/mod.ts";
import { overrideSoftwareAdapter } from "../src/kernels/fused/mod.ts";
import type { Rng } from "../src/util/rng.ts";
import type { Rows } from "./_f64.ts";

const adapter = await probeWebGPU();

/** Why a WebGPU test is skipped here, or null when there is an adapter. */
export const NO_WEBGPU: string | null = adapter === null
  ? "no WebGPU adapter (install mesa-vulkan-drivers for lavapipe)"
  : null;

/** Each backend with the reason its tests are skipped (null when they run). */
export const BACKENDS: { name: BackendName; skip: string | null }[] = [
  { name: "cpu", skip: null },
  { name: "wasm", skip: null },
  { name: "webgpu", skip: NO_WEBGPU },
];

/** One backend of {@linkcode BACKENDS}. */
export type HarnessBackend = (typeof BACKENDS)[number];

/** The webgpu entry of {@linkcode BACKENDS}. */
export const WEBGPU: HarnessBackend = BACKENDS.find((b) => b.name === "webgpu")!;

/** Test name with the backend, and the skip reason when there is one. */
export function testName(title: string, backend: { name: string; skip: string | null }): string {
  return `${title} [${backend.name}]${backend.skip ? ` (skipped: ${backend.skip})` : ""}`;
}

/** Starts a backend (once per switch). */
export async function useBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() !== name) await initBackend(name);
}

/**
 * Registers `fn` as a test on `backend`: named with it (and the skip reason),
 * skipped when it is unavailable, run with it started.
 */
export function backendTest(title: string, backend: HarnessBackend, fn: () => Promise<void>): void {
  Deno.test({
    name: testName(title, backend),
    ignore: backend.skip !== null,
    async fn() {
      await useBackend(backend.name);
      await fn();
    },
  });
}

/**
 * Registers a webgpu test twice, with the fused kernels treating the adapter
 * as a GPU (`software` false: 32 and 64 threads a row) and as software (8
 * threads a row, as on lavapipe); `title` gets those words.
 */
export function webgpuWorkgroupTests(
  title: (threads: string) => string,
  fn: (software: boolean) => Promise<void>,
): void {
  for (const software of [false, true]) {
    const threads = software ? "8 threads a row, as on lavapipe" : "32 and 64 threads a row, as on a GPU";
    backendTest(title(threads), WEBGPU, () => withSoftwareAdapter(software, () => fn(software)));
  }
}

/**
 * Profiles `run` (a forward pass and its gradients) on the active backend and
 * asserts that it ran every kernel of `fused` and none of `stock` (the ops the
 * stock composition would run); disposes what `run` returned.
 */
export async function assertFusedOnly(
  run: () => tf.TensorContainer,
  fused: readonly string[],
  stock: readonly string[],
  what: string,
): Promise<void> {
  const profile = await tf.profile(run);
  const ran = profile.kernels.map((k) => k.name);
  for (const kernel of fused) assert.ok(ran.includes(kernel), `${kernel} not run (ran ${ran})`);
  assert.deepEqual(ran.filter((k) => stock.includes(k)), [], `${what} ran stock ops`);
  tf.dispose(profile.result);
}

/**
 * Runs `fn` with `kernelName` unregistered on the cpu backend (to test the
 * stock-op fallback), registering it back whatever happens.
 */
export async function withoutCpuKernel(kernelName: string, fn: () => Promise<void>): Promise<void> {
  await useBackend("cpu");
  const config = tf.getKernel(kernelName, "cpu");
  assert.ok(config, `${kernelName} is registered on cpu`);
  tf.unregisterKernel(kernelName, "cpu");
  try {
    await fn();
  } finally {
    tf.registerKernel(config);
  }
}

/** Rows of normal(0, scale) values, rounded to float32 so the references see what the kernels see. */
export function normalRows(rng: Rng, rows: number, n: number, scale = 1): Rows {
  return Array.from({ length: rows }, () => Array.from({ length: n }, () => Math.fround(scale * rng.normal())));
}

/**
 * Ordinary rows plus an all-zero row, a row with |x| ≈ 50, a tiny row where
 * eps dominates the norms, a single spike and a row of equal values.
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

/** The values an op and its gradients took on the backend (dp: with respect to the parameter vector). */
export interface Evaluated {
  y: Float32Array;
  dx: Float32Array;
  dp: Float32Array;
}

/**
 * Runs `f(x, p)` and the gradients of Σ g ⊙ f(x, p) with respect to x and
 * the parameter vector p; checks that no tensor leaks.
 */
export async function evaluate(
  f: (x: tf.Tensor, p: tf.Tensor1D) => tf.Tensor,
  x: Rows,
  p: number[],
  g: Rows,
  shape?: number[],
): Promise<Evaluated> {
  const before = tf.memory().numTensors;
  const xShape = shape ?? [x.length, x[0].length];
  const xt = tf.tensor(x.flat(), xShape);
  const pt = tf.tensor1d(p);
  const gt = tf.tensor(g.flat(), xShape);
  const [y, dx, dp] = tf.tidy(() => {
    const grads = tf.grads((xs: tf.Tensor, ps: tf.Tensor) => tf.sum(tf.mul(f(xs, ps as tf.Tensor1D), gt)));
    const [gx, gp] = grads([xt, pt]);
    return [f(xt, pt), gx, gp];
  });
  assert.deepEqual(y.shape, xShape);
  assert.deepEqual(dx.shape, xShape);
  assert.deepEqual(dp.shape, [p.length]);
  const out = {
    y: (await y.data()) as Float32Array,
    dx: (await dx.data()) as Float32Array,
    dp: (await dp.data()) as Float32Array,
  };
  tf.dispose([xt, pt, gt, y, dx, dp]);
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  return out;
}

/**
 * Runs `fn` with every fused kernel treating the webgpu adapter as software
 * (`true`) or a GPU (`false`), so that lavapipe also runs a GPU's workgroup
 * sizes; detection is restored afterwards, whatever happens.
 */
export async function withSoftwareAdapter(software: boolean, fn: () => Promise<void>): Promise<void> {
  overrideSoftwareAdapter(software);
  try {
    await fn();
  } finally {
    overrideSoftwareAdapter(null);
  }
}

/** Asserts that the active (webgpu) backend built a pipeline whose key starts with each of `prefixes`. */
export function assertPipelinesBuilt(prefixes: string[]): void {
  const pipelines = (tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache;
  for (const key of prefixes) {
    assert.ok(Object.keys(pipelines).some((k) => k.startsWith(key)), `no ${key} pipeline was built`);
  }
}
