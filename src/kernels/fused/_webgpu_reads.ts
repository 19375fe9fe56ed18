/**
 * Counting the device reads of the webgpu backend: the `read` and
 * `readSync` calls (every `data()`, `dataSync()` and `array()`) of tensors
 * whose values are on the GPU only. Reads of values still held on the host
 * (tfjs runs small kernels on host-made tensors on the CPU) wait on nothing
 * and are not counted.
 * @module
 */
import { tf } from "../../backend/tf.ts";

interface WebGPUReads {
  read(dataId: object): unknown;
  readSync(dataId: object): unknown;
  tensorMap: { get(dataId: object): { values?: unknown } | undefined };
}

/**
 * Starts counting the device reads of the active (webgpu) backend; the
 * returned function stops counting and gives the count.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const t = tf.square(tf.tensor1d([1, 2]));
 * const stop = countDeviceReads();
 * await t.data();
 * stop(); // 1 when t was computed on the GPU
 * ```
 */
export function countDeviceReads(): () => number {
  const backend = tf.backend() as unknown as WebGPUReads;
  const { read, readSync } = backend;
  let reads = 0;
  const onDevice = (dataId: object) => backend.tensorMap.get(dataId)?.values == null;
  backend.read = function (dataId) {
    if (onDevice(dataId)) reads++;
    return read.call(this, dataId);
  };
  backend.readSync = function (dataId) {
    if (onDevice(dataId)) reads++;
    return readSync.call(this, dataId);
  };
  return () => {
    backend.read = read;
    backend.readSync = readSync;
    return reads;
  };
}
