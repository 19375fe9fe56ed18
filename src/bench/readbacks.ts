/**
 * Counting host readbacks on the webgpu backend: each copy of device memory
 * to the host that waits for the device (a buffer map), the stall a training
 * loop must keep rare.
 * @module
 */

/** The part of tfjs-backend-webgpu's WebGPUBackend every read of device memory goes through. */
interface Reader {
  getBufferData(...args: unknown[]): unknown;
}

/**
 * Starts counting the device reads `backend` (tfjs-backend-webgpu's, 4.22)
 * makes; the returned function stops counting and gives the count (stop
 * nested counters innermost first).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/mod.ts";
 * const stop = countReadbacks(tf.backend());
 * console.log(stop(), "readbacks");
 * ```
 */
export function countReadbacks(backend: unknown): () => number {
  const reader = backend as Reader;
  if (typeof reader.getBufferData !== "function") {
    throw new Error("countReadbacks needs tfjs's webgpu backend (no getBufferData)");
  }
  const original = reader.getBufferData;
  let reads = 0;
  reader.getBufferData = function (...args: unknown[]) {
    reads++;
    return original.apply(this, args);
  };
  return () => {
    reader.getBufferData = original;
    return reads;
  };
}
