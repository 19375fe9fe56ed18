/**
 * Elementwise and data kernels for the `cpu` backend. tfjs's own compute a
 * multi-dimensional index per element for every broadcasting `Add`, `Sub` and
 * `Multiply`, and `SplitV` and `Softmax` go through generic slicing and
 * several whole-tensor passes; together they took over 90% of a `train-tiny`
 * step on `cpu`. These are the same loops over flat arrays, with the
 * broadcast resolved once per row.
 * @module
 */
import type { tf } from "../../backend/tf.ts";

type TensorInfo = tf.TensorInfo;

interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): TensorInfo;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function f32(backend: CpuBackendLike, t: TensorInfo): Float32Array | null {
  const v = backend.data.get(t.dataId).values;
  return t.dtype === "float32" && v instanceof Float32Array ? v : null;
}

/** Output shape and per-dimension "a/b is broadcast" flags, dimensions with the same flags merged. */
function broadcastPlan(a: readonly number[], b: readonly number[]) {
  const rank = Math.max(a.length, b.length);
  const outShape: number[] = [], dims: number[] = [], aOne: boolean[] = [], bOne: boolean[] = [];
  for (let d = 0; d < rank; d++) {
    const da = a[d - rank + a.length] ?? 1, db = b[d - rank + b.length] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    const n = da === 1 ? db : da;
    outShape.push(n);
    if (n === 1) continue;
    const fa = da === 1, fb = db === 1;
    const last = dims.length - 1;
    if (last >= 0 && aOne[last] === fa && bOne[last] === fb) dims[last] *= n;
    else dims.push(n), aOne.push(fa), bOne.push(fb);
  }
  return { outShape, dims, aOne, bOne };
}

type Op = (x: number, y: number) => number;

function binaryInto(
  op: Op,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  plan: NonNullable<ReturnType<typeof broadcastPlan>>,
) {
  const { dims, aOne, bOne } = plan;
  const r = dims.length;
  if (r === 0) {
    out[0] = op(a[0], b[0]);
    return;
  }
  const inner = dims[r - 1], sa = aOne[r - 1] ? 0 : 1, sb = bOne[r - 1] ? 0 : 1;
  // Strides of a and b in each merged output dimension (0 where broadcast).
  const strideA = new Array<number>(r), strideB = new Array<number>(r);
  let pa = 1, pb = 1;
  for (let d = r - 1; d >= 0; d--) {
    strideA[d] = aOne[d] ? 0 : pa;
    strideB[d] = bOne[d] ? 0 : pb;
    if (!aOne[d]) pa *= dims[d];
    if (!bOne[d]) pb *= dims[d];
  }
  const rows = out.length / inner;
  const idx = new Array<number>(r).fill(0);
  let ia = 0, ib = 0, o = 0;
  for (let row = 0; row < rows; row++) {
    if (sa && sb) { for (let j = 0; j < inner; j++) out[o + j] = op(a[ia + j], b[ib + j]); }
    else if (sa) {
      const y = b[ib];
      for (let j = 0; j < inner; j++) out[o + j] = op(a[ia + j], y);
    } else if (sb) {
      const x = a[ia];
      for (let j = 0; j < inner; j++) out[o + j] = op(x, b[ib + j]);
    } else out.fill(op(a[ia], b[ib]), o, o + inner);
    o += inner;
    // Odometer over the outer dimensions.
    for (let d = r - 2; d >= 0; d--) {
      ia += strideA[d], ib += strideB[d];
      if (++idx[d] < dims[d]) break;
      ia -= strideA[d] * dims[d], ib -= strideB[d] * dims[d];
      idx[d] = 0;
    }
  }
}

/**
 * A float32 binary kernel (`Add`, `Sub`, `Multiply`) with numpy broadcasting;
 * other dtypes go to `fallback`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const add = cpuBinary((x, y) => x + y, tf.getKernel("Add", "cpu")!.kernelFunc);
 * ```
 */
export function cpuBinary(op: Op, fallback: tf.KernelFunc): tf.KernelFunc {
  // One monomorphic copy of the loops per op, so V8 inlines `op`.
  const into = new Function(`return ${binaryInto.toString()}`)() as typeof binaryInto;
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const backend = args.backend as unknown as CpuBackendLike;
    const va = f32(backend, a), vb = f32(backend, b);
    const plan = va && vb ? broadcastPlan(a.shape, b.shape) : null;
    if (!va || !vb || !plan) return fallback(args);
    const out = new Float32Array(sizeOf(plan.outShape));
    if (out.length) into(op, va, vb, out, plan);
    return backend.makeTensorInfo(plan.outShape, "float32", out);
  };
}

/**
 * `SplitV` as row copies (float32; other dtypes go to `fallback`).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const split = cpuSplitV(tf.getKernel("SplitV", "cpu")!.kernelFunc);
 * ```
 */
export function cpuSplitV(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const backend = args.backend as unknown as CpuBackendLike;
    const src = f32(backend, x);
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const rank = x.shape.length;
    const ax = axis < 0 ? axis + rank : axis;
    if (!src || ax < 0 || ax >= rank) return fallback(args);
    const n = x.shape[ax];
    let sizes: number[];
    if (Array.isArray(numOrSizeSplits)) {
      sizes = [...numOrSizeSplits];
      const free = sizes.indexOf(-1);
      if (free >= 0) sizes[free] = n - sizes.reduce((s, v, i) => (i === free ? s : s + v), 0);
    } else {
      if (n % numOrSizeSplits !== 0) return fallback(args);
      sizes = new Array(numOrSizeSplits).fill(n / numOrSizeSplits);
    }
    if (sizes.some((s) => s < 0) || sizes.reduce((a, b) => a + b, 0) !== n) return fallback(args);
    const rows = sizeOf(x.shape.slice(0, ax)), tail = sizeOf(x.shape.slice(ax + 1)), rowLen = n * tail;
    let offset = 0;
    return sizes.map((size) => {
      const len = size * tail, out = new Float32Array(rows * len);
      for (let r = 0; r < rows; r++) out.set(src.subarray(r * rowLen + offset, r * rowLen + offset + len), r * len);
      offset += len;
      const shape = [...x.shape];
      shape[ax] = size;
      return backend.makeTensorInfo(shape, "float32", out);
    });
  };
}

/**
 * `Softmax` over the last axis in one pass per row (float32).
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const softmax = cpuSoftmax(tf.getKernel("Softmax", "cpu")!.kernelFunc);
 * ```
 */
export function cpuSoftmax(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { logits } = args.inputs as { logits: TensorInfo };
    const backend = args.backend as unknown as CpuBackendLike;
    const src = f32(backend, logits);
    const { dim } = args.attrs as unknown as { dim: number };
    const rank = logits.shape.length;
    if (!src || rank === 0 || (dim !== -1 && dim !== rank - 1)) return fallback(args);
    const cols = logits.shape[rank - 1], out = new Float32Array(src.length);
    for (let o = 0; o < src.length; o += cols) {
      let max = -Infinity;
      for (let j = 0; j < cols; j++) if (src[o + j] > max) max = src[o + j];
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += out[o + j] = Math.exp(src[o + j] - max);
      for (let j = 0; j < cols; j++) out[o + j] /= sum;
    }
    return backend.makeTensorInfo([...logits.shape], "float32", out);
  };
}

/**
 * `Transpose` of float32 tensors: a loop over the output's last axis with the
 * input's stride, the other axes stepped like an odometer.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const transpose = cpuTranspose(tf.getKernel("Transpose", "cpu")!.kernelFunc);
 * ```
 */
export function cpuTranspose(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const backend = args.backend as unknown as CpuBackendLike;
    const src = f32(backend, x);
    const { perm } = args.attrs as unknown as { perm: number[] };
    const rank = x.shape.length;
    if (!src || rank === 0 || perm.length !== rank) return fallback(args);
    const inStride = new Array<number>(rank);
    for (let d = rank - 1, p = 1; d >= 0; d--) inStride[d] = p, p *= x.shape[d];
    const shape = perm.map((p) => x.shape[p]), stride = perm.map((p) => inStride[p]);
    const out = new Float32Array(src.length);
    const inner = shape[rank - 1], step = stride[rank - 1], rows = inner ? src.length / inner : 0;
    const idx = new Array<number>(rank).fill(0);
    let i = 0, o = 0;
    for (let row = 0; row < rows; row++) {
      if (step === 1) out.set(src.subarray(i, i + inner), o);
      else for (let j = 0, k = i; j < inner; j++, k += step) out[o + j] = src[k];
      o += inner;
      for (let d = rank - 2; d >= 0; d--) {
        i += stride[d];
        if (++idx[d] < shape[d]) break;
        i -= stride[d] * shape[d];
        idx[d] = 0;
      }
    }
    return backend.makeTensorInfo(shape, "float32", out);
  };
}
