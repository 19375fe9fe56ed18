/**
 * Data-movement kernels for the `wasm` backend: `Identity` and same-type
 * `Cast` share the input's buffer (as `Reshape` does) instead of copying it;
 * `Concat`, `SplitV` and row `GatherV2` copy inside WebAssembly; `Sum` over
 * leading axes adds rows with SIMD instead of transposing first; `Exp` runs
 * the SIMD exponential of `../_wasm/exp.ts` (tfjs calls the C library's
 * scalar `expf` per element).
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { mathModuleBytes } from "../_wasm/exp.ts";
import { dataModuleBytes } from "./_wasm_module.ts";

type TensorInfo = tf.TensorInfo;

interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory }; HEAP32: Int32Array; HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  incRef(dataId: object): void;
}

interface DataExports {
  copy_rows(src: number, srcStride: number, dst: number, dstStride: number, rows: number, len: number): void;
  gather_rows(table: number, rowBytes: number, indices: number, count: number, out: number): void;
  col_sum(x: number, rows: number, cols: number, out: number): void;
}

interface MathExports {
  exp_f32(src: number, dst: number, n: number): void;
}

/** A module's instance per backend, bound to that backend's memory (compiled at first use). */
function perBackend<T>(bytes: () => Uint8Array<ArrayBuffer>): (backend: WasmBackendLike) => T {
  let module: WebAssembly.Module | undefined;
  const instances = new WeakMap<object, T>();
  return (backend) => {
    let fns = instances.get(backend);
    if (!fns) {
      module ??= new WebAssembly.Module(bytes());
      fns = new WebAssembly.Instance(module, { env: { memory: backend.wasm.asm.memory } }).exports as unknown as T;
      instances.set(backend, fns);
    }
    return fns;
  };
}

const dataFor = perBackend<DataExports>(dataModuleBytes);
const mathFor = perBackend<MathExports>(mathModuleBytes);

const BYTES: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };
const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function share(backend: WasmBackendLike, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/**
 * `Identity` that shares the input's buffer (tfjs's copies it).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const id = wasmIdentity(tf.getKernel("Identity", "wasm")!.kernelFunc);
 * ```
 */
export function wasmIdentity(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === "string") return fallback(args);
    return share(args.backend as unknown as WasmBackendLike, x);
  };
}

/**
 * `Cast` that shares the buffer when the type does not change.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const cast = wasmCast(tf.getKernel("Cast", "wasm")!.kernelFunc);
 * ```
 */
export function wasmCast(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
    if (x.dtype !== dtype || x.dtype === "string") return fallback(args);
    return share(args.backend as unknown as WasmBackendLike, x);
  };
}

function normAxis(axis: number | number[], rank: number): number {
  const a = Array.isArray(axis) ? axis[0] : axis;
  return a < 0 ? a + rank : a;
}

/**
 * `Concat` with the row copies in WebAssembly.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const concat = wasmConcat(tf.getKernel("Concat", "wasm")!.kernelFunc);
 * ```
 */
export function wasmConcat(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const bytes = BYTES[inputs[0]?.dtype];
    if (!bytes || inputs.length < 2 || inputs.some((t) => t.dtype !== inputs[0].dtype)) return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const rank = inputs[0].shape.length;
    const axis = normAxis((args.attrs as unknown as { axis: number | number[] }).axis, rank);
    if (axis < 0 || axis >= rank || inputs.some((t) => t.shape.length !== rank)) return fallback(args);
    for (const t of inputs) {
      for (let d = 0; d < rank; d++) {
        if (d !== axis && t.shape[d] !== inputs[0].shape[d]) return fallback(args);
      }
    }
    const outShape = [...inputs[0].shape];
    outShape[axis] = inputs.reduce((s, t) => s + t.shape[axis], 0);
    const out = backend.makeOutput(outShape, inputs[0].dtype);
    const rows = sizeOf(outShape.slice(0, axis));
    const outRow = sizeOf(outShape.slice(axis)) * bytes;
    if (rows * outRow === 0) return out;
    const { copy_rows: copy } = dataFor(backend);
    const outPtr = backend.dataIdMap.get(out.dataId).memoryOffset;
    let offset = 0;
    for (const t of inputs) {
      const len = sizeOf(t.shape.slice(axis)) * bytes;
      if (len > 0) copy(backend.dataIdMap.get(t.dataId).memoryOffset, len, outPtr + offset, outRow, rows, len);
      offset += len;
    }
    return out;
  };
}

/**
 * `SplitV` with the row copies in WebAssembly.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const split = wasmSplitV(tf.getKernel("SplitV", "wasm")!.kernelFunc);
 * ```
 */
export function wasmSplitV(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const bytes = BYTES[x.dtype];
    if (!bytes) return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const { numOrSizeSplits, axis: rawAxis } = args.attrs as unknown as {
      numOrSizeSplits: number | number[];
      axis: number | number[];
    };
    const axis = normAxis(rawAxis, x.shape.length);
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, axis);
    const rows = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1)) * bytes;
    const inRow = x.shape[axis] * inner;
    const { copy_rows: copy } = dataFor(backend);
    const xPtr = backend.dataIdMap.get(x.dataId).memoryOffset;
    let offset = 0;
    return sizes.map((s) => {
      const shape = [...x.shape];
      shape[axis] = s;
      const out = backend.makeOutput(shape, x.dtype);
      const len = s * inner;
      if (rows * len > 0) copy(xPtr + offset, inRow, backend.dataIdMap.get(out.dataId).memoryOffset, len, rows, len);
      offset += len;
      return out;
    });
  };
}

/**
 * `GatherV2` of whole rows (axis 0, no batch dimensions) as row copies; other
 * forms go to tfjs's kernel. Out-of-range indices throw, as on the cpu backend.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const gather = wasmGatherV2(tf.getKernel("GatherV2", "wasm")!.kernelFunc);
 * ```
 */
export function wasmGatherV2(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims?: number };
    const bytes = BYTES[x.dtype];
    const rank = x.shape.length;
    const normAxisValue = axis < 0 ? axis + rank : axis;
    if (!bytes || bytes !== 4 || indices.dtype !== "int32" || normAxisValue !== 0 || (batchDims ?? 0) !== 0) {
      return fallback(args);
    }
    const backend = args.backend as unknown as WasmBackendLike;
    const count = sizeOf(indices.shape);
    const numRows = x.shape[0];
    const idxPtr = backend.dataIdMap.get(indices.dataId).memoryOffset;
    const heap = backend.wasm.HEAP32;
    for (let i = 0; i < count; i++) {
      const id = heap[idxPtr / 4 + i];
      if (id < 0 || id >= numRows) throw new Error(`GatherV2: index ${id} at ${i} is not in [0, ${numRows - 1}]`);
    }
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const rowBytes = sizeOf(x.shape.slice(1)) * bytes;
    if (count * rowBytes === 0) return out;
    dataFor(backend).gather_rows(
      backend.dataIdMap.get(x.dataId).memoryOffset,
      rowBytes,
      idxPtr,
      count,
      backend.dataIdMap.get(out.dataId).memoryOffset,
    );
    return out;
  };
}

/**
 * `Sum` over leading axes (`[0]`, `[0, 1]`, …) of float32 tensors as SIMD
 * column sums; other reductions go to tfjs's kernel.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const sum = wasmSum(tf.getKernel("Sum", "wasm")!.kernelFunc);
 * ```
 */
export function wasmSum(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[] | null; keepDims: boolean };
    const rank = x.shape.length;
    if (x.dtype !== "float32" || axis === null || rank < 2) return fallback(args);
    const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => a < 0 ? a + rank : a))].sort((a, b) =>
      a - b
    );
    const leading = axes.every((a, i) => a === i);
    if (!leading || axes.length === 0 || axes.length >= rank) return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const rows = sizeOf(x.shape.slice(0, axes.length));
    const kept = x.shape.slice(axes.length);
    const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
    const out = backend.makeOutput(outShape, "float32");
    const cols = sizeOf(kept);
    if (cols === 0) return out;
    dataFor(backend).col_sum(
      backend.dataIdMap.get(x.dataId).memoryOffset,
      rows,
      cols,
      backend.dataIdMap.get(out.dataId).memoryOffset,
    );
    return out;
  };
}

/**
 * `Transpose` of permutations that keep the last axis (e.g. attention's
 * `[batch, seq, heads, d]` ↔ `[batch, heads, seq, d]`): runs of the last axis
 * copied in WebAssembly, one strided row copy per output matrix, where tfjs's
 * wasm kernel moves element by element. Other permutations go to tfjs.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const transpose = wasmTranspose(tf.getKernel("Transpose", "wasm")!.kernelFunc);
 * ```
 */
export function wasmTranspose(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const perm = (args.attrs as unknown as { perm: number[] }).perm;
    const bytes = BYTES[x.dtype];
    const rank = x.shape.length;
    if (!bytes || rank < 3 || perm.length !== rank || perm[rank - 1] !== rank - 1) return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const outShape = perm.map((p) => x.shape[p]);
    const out = backend.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    const inStrides: number[] = new Array(rank).fill(1);
    for (let d = rank - 2; d >= 0; d--) inStrides[d] = inStrides[d + 1] * x.shape[d + 1];
    const { copy_rows: copy } = dataFor(backend);
    const src = backend.dataIdMap.get(x.dataId).memoryOffset, dst = backend.dataIdMap.get(out.dataId).memoryOffset;
    const row = outShape[rank - 1] * bytes, rows = outShape[rank - 2];
    const srcRowStride = inStrides[perm[rank - 2]] * bytes;
    // Every output matrix (all axes but the last two) is one strided copy of `rows` rows.
    const outer = outShape.slice(0, rank - 2);
    const index = new Array(outer.length).fill(0);
    const matrices = sizeOf(outer);
    for (let m = 0, at = dst; m < matrices; m++, at += rows * row) {
      let from = src;
      for (let d = 0; d < outer.length; d++) from += index[d] * inStrides[perm[d]] * bytes;
      copy(from, srcRowStride, at, row, rows, row);
      for (let d = outer.length - 1; d >= 0 && ++index[d] === outer[d]; d--) index[d] = 0;
    }
    return out;
  };
}

/**
 * SIMD `Exp` for float32 tensors.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const exp = wasmExp(tf.getKernel("Exp", "wasm")!.kernelFunc);
 * ```
 */
export function wasmExp(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== "float32") return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput([...x.shape], "float32");
    const n = sizeOf(x.shape);
    const src = backend.dataIdMap.get(x.dataId).memoryOffset, dst = backend.dataIdMap.get(out.dataId).memoryOffset;
    const whole = n & ~3;
    if (whole) mathFor(backend).exp_f32(src, dst, whole);
    // The last 0-3 elements: not worth a scalar path in WebAssembly.
    const heap = backend.wasm.HEAPF32;
    for (let i = whole; i < n; i++) heap[dst / 4 + i] = Math.exp(heap[src / 4 + i]);
    return out;
  };
}
