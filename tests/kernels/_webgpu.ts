/**
 * Helpers of the fused kernels' webgpu tests: running code on a named
 * backend, counting the GPU dispatches it records, and comparing float32
 * arrays to a tolerance.
 * @module
 */
import assert from "node:assert/strict";
import type { BackendName } from "../../src/backend/mod.ts";
import { tf } from "../../src/backend/mod.ts";
import { countDispatches as startCount } from "../../src/kernels/fused/mod.ts";
import { useBackend } from "../_backend_harness.ts";

/** Runs `fn` on the webgpu backend and returns its result and the compute dispatches it recorded. */
export function countDispatches<T>(fn: () => T): { result: T; dispatches: number } {
  const stop = startCount(tf.backend());
  try {
    const result = fn();
    return { result, dispatches: stop() };
  } finally {
    stop();
  }
}

/** Starts `name` and returns the values of the tensors `fn` makes (disposed after reading). */
export async function valuesOn(name: BackendName, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(name);
  const out = tf.tidy(fn);
  const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(out);
  return values;
}

/** Asserts |got − want| ≤ tol·(1 + |want|) elementwise (and equal lengths). */
export function assertClose(got: Float32Array, want: Float32Array, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let worst = 0, at = -1;
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
    if (!(err <= worst)) [worst, at] = [err, i];
  }
  assert.ok(worst <= tol, `${what}: error ${worst.toExponential(2)} > ${tol} at ${at} (${got[at]} vs ${want[at]})`);
}
