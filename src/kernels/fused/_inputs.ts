/**
 * Checked access to a fused kernel's inputs, shared by every backend and
 * kernel family. Errors name the family (`label`), so that a failure says
 * which kernels were called wrongly.
 * @module
 */
import type { tf } from "../../backend/tf.ts";

/** Attributes of the kernels that take only an eps. */
export interface EpsAttrs {
  [key: string]: number;
  eps: number;
}

/** The part of tfjs-backend-cpu's MathBackendCPU the fused kernels use. */
export interface CpuBackend {
  data: { get(dataId: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

/** The part of tfjs-backend-wasm's BackendWasm every fused kernel uses. */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Input checks of one family of fused kernels. */
export interface FusedInputs {
  /** The named inputs of a kernel call, checked present. */
  kernelInputs<K extends string>(inputs: tf.NamedTensorInfoMap, ...names: K[]): Record<K, tf.TensorInfo>;
  /** [rows, n] of a 2-D kernel input. */
  shape2d(t: tf.TensorInfo): [number, number];
  /** The cpu backend's float32 values of an input. */
  cpuFloats(backend: CpuBackend, t: tf.TensorInfo): Float32Array;
  /** A float32 view of an input on the wasm heap (valid until the next allocation). */
  heapFloats(backend: HeapBackend, t: tf.TensorInfo): Float32Array;
}

/**
 * The input checks of the kernel family `label` (e.g. "fused RMSNorm").
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const { kernelInputs, shape2d } = fusedInputs("fused RMSNorm");
 * shape2d({ shape: [4, 16] } as tf.TensorInfo); // [4, 16]
 * ```
 */
export function fusedInputs(label: string): FusedInputs {
  const float32 = (v: unknown, t: tf.TensorInfo): Float32Array => {
    if (!(v instanceof Float32Array)) throw new Error(`${label} kernels need float32 input, got ${t.dtype}`);
    return v;
  };
  return {
    kernelInputs<K extends string>(inputs: tf.NamedTensorInfoMap, ...names: K[]): Record<K, tf.TensorInfo> {
      const out = {} as Record<K, tf.TensorInfo>;
      for (const name of names) {
        const t = inputs[name];
        if (!t) throw new Error(`${label} kernel called without input '${name}'`);
        out[name] = t;
      }
      return out;
    },
    shape2d(t: tf.TensorInfo): [number, number] {
      if (t.shape.length !== 2) throw new Error(`${label} kernels take [rows, n], got [${t.shape}]`);
      return [t.shape[0], t.shape[1]];
    },
    cpuFloats: (backend, t) => float32(backend.data.get(t.dataId).values, t),
    heapFloats: (backend, t) => float32(backend.typedArrayFromHeap(t), t),
  };
}
