/**
 * Buffer copies inside tfjs-backend-webgpu's command stream: gathering many
 * tensors into one flat tensor and scattering it back cost copy commands,
 * not compute dispatches, and keep tfjs's order (copies are recorded into the
 * same command encoder as the dispatches around them).
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import type { WebGPUKernelBackend } from "../fused/mod.ts";

/** What the copies use of tfjs-backend-webgpu's WebGPUBackend (4.22; internal members). */
interface CopyBackend extends WebGPUKernelBackend {
  tensorMap: { get(dataId: tf.DataId): { resource?: unknown } | undefined };
  uploadToGPU(dataId: tf.DataId): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  commandEncoder: {
    copyBufferToBuffer(src: unknown, srcOffset: number, dst: unknown, dstOffset: number, size: number): void;
    clearBuffer(buffer: unknown, offset: number, size: number): void;
  };
  commandQueueOwnedIds: { add(dataId: tf.DataId): void };
}

/** Bytes of a float32. */
const F32 = 4;

/**
 * Copies and clears between float32 tensors on `backend`, in element units.
 *
 * @example
 * ```ts
 * import type { tf } from "../../backend/tf.ts";
 * import type { WebGPUKernelBackend } from "../fused/mod.ts";
 * declare const backend: WebGPUKernelBackend, g: tf.TensorInfo, flat: tf.TensorInfo, offset: number;
 * const copies = bufferCopies(backend);
 * copies.copy(g, 0, flat, offset, g.shape.reduce((a, b) => a * b, 1));
 * ```
 */
export function bufferCopies(backend: WebGPUKernelBackend) {
  const b = backend as CopyBackend;
  if (typeof b.ensureCommandEncoderReady !== "function" || typeof b.uploadToGPU !== "function") {
    throw new Error("flat AdamW needs tfjs-backend-webgpu's WebGPUBackend (no command encoder access)");
  }
  const buffer = (t: tf.TensorInfo) => {
    b.uploadToGPU(t.dataId);
    // Freed only after the copy is submitted (tfjs defers disposal of what the open command buffer uses).
    b.commandQueueOwnedIds.add(t.dataId);
    return b.tensorMap.get(t.dataId)!.resource;
  };
  const encoder = () => {
    b.ensureCommandEncoderReady();
    b.endComputePassEncoder();
    return b.commandEncoder;
  };
  return {
    /** `dst[dstAt, dstAt + n) = src[srcAt, srcAt + n)`. */
    copy(src: tf.TensorInfo, srcAt: number, dst: tf.TensorInfo, dstAt: number, n: number): void {
      if (n > 0) encoder().copyBufferToBuffer(buffer(src), srcAt * F32, buffer(dst), dstAt * F32, n * F32);
    },
    /** `dst[at, at + n) = 0`. */
    clear(dst: tf.TensorInfo, at: number, n: number): void {
      if (n > 0) encoder().clearBuffer(buffer(dst), at * F32, n * F32);
    },
  };
}
