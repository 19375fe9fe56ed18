/**
 * Counting host readbacks on WebGPU: every `GPUBuffer.mapAsync` is one (tfjs
 * reads a tensor by copying it to a staging buffer and mapping that), and a
 * map waits for the queue to drain, so the count is the number of times a
 * training step stalls the GPU.
 * @module
 */

/**
 * Starts counting `mapAsync` calls on every `GPUBuffer`; the returned function
 * stops counting and gives the count. Returns a counter of 0 where the runtime
 * has no WebGPU.
 *
 * @example
 * ```ts
 * const stop = countReadbacks();
 * // ... train some steps on webgpu ...
 * console.log(stop(), "host readbacks");
 * ```
 */
export function countReadbacks(): () => number {
  const proto = (globalThis as { GPUBuffer?: { prototype: GPUBuffer } }).GPUBuffer?.prototype;
  if (!proto) return () => 0;
  const original = proto.mapAsync;
  let reads = 0;
  proto.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer["mapAsync"]>) {
    reads++;
    return original.apply(this, args);
  };
  return () => {
    proto.mapAsync = original;
    return reads;
  };
}
