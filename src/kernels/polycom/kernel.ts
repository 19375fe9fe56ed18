/**
 * The fused PolyCom kernels (PolyNorm, PolyReLU) on `cpu` and `wasm`, their
 * names, and the gradient configs every backend shares.
 *
 * Forward kernels take `x` as [rows, n] (the public ops flatten leading axes)
 * and `a` as [r + 1]. Gradient kernels return `[dx, daParts]`, where
 * `daParts` is [P, W ≥ r + 1] and da is the sum of its first r + 1 columns
 * over P: every kernel sums its partials itself (P = 1; webgpu with
 * `ColumnSumProgram` of `../fused/`).
 *
 * cpu runs the float64 loops of `math.ts` over the backend's own arrays. On
 * wasm, orders up to 4 run in the SIMD module of `_simd_module.ts`, in place
 * on the tfjs heap, their rows split over the worker pool (`tasks.ts`);
 * higher orders, or a runtime without wasm SIMD, use the same float64 loops
 * on heap views. Outputs are allocated before any view or
 * pointer is used, because an allocation may grow the heap and detach
 * earlier views.
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { type CpuBackend, type EpsAttrs, fusedInputs, type HeapBackend } from "../fused/mod.ts";
import { polyNormBackwardRows, polyNormForwardRows, polyReLUBackwardFlat, polyReLUForwardFlat } from "./math.ts";
import { POLYCOM_SIMD, SCRATCH, SIMD_MAX_ORDER } from "./_simd_module.ts";
import { type PolycomSimd, polyNormBlocks, polyReLUBlocks, setInPlaceSimd } from "./tasks.ts";
import { addBlockSums, heapTarget, type ReductionBlocks, runHeapTask } from "../parallel/mod.ts";

/** Fused PolyNorm forward: inputs {x, a}, attrs {eps}. */
export const POLY_NORM = "PolyNorm";
/** Fused PolyNorm backward: inputs {dy, x, a}, attrs {eps}; outputs [dx, daParts]. */
export const POLY_NORM_GRAD = "PolyNormGrad";
/** Fused PolyReLU forward: inputs {x, a}. */
export const POLY_RELU = "PolyReLU";
/** Fused PolyReLU backward: inputs {dy, x, a}; outputs [dx, daParts]. */
export const POLY_RELU_GRAD = "PolyReLUGrad";

/** Attributes of the PolyNorm kernels. */
export type PolyNormAttrs = EpsAttrs;

/**
 * Checked input access of the fused PolyCom kernels, with errors that say
 * "fused PolyCom": `kernelInputs` (named inputs, checked present), `shape2d`
 * ([rows, n] of a 2-D input) and an input's float32 values on cpu and wasm.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * declare const inputs: tf.NamedTensorInfoMap;
 * const { x, a } = kernelInputs(inputs, "x", "a");
 * shape2d({ shape: [4, 16] } as tf.TensorInfo); // [4, 16]
 * ```
 */
export const { kernelInputs, shape2d, cpuFloats, heapFloats } = fusedInputs("fused PolyCom");

/** Length of the last axis of a kernel input (the PolyNorm row length). */
function lastDim(t: tf.TensorInfo): number {
  return t.shape[t.shape.length - 1] ?? 1;
}

function size(t: tf.TensorInfo): number {
  return tf.util.sizeFromShape(t.shape);
}

const eps = (attrs: unknown) => (attrs as PolyNormAttrs).eps;

/** A [1, r + 1] float32 tensor info of the summed coefficient gradient. */
function cpuParts(b: CpuBackend, da: Float64Array): tf.TensorInfo {
  return b.makeTensorInfo([1, da.length], "float32", Float32Array.from(da));
}

const polyNormCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  const out = new Float32Array(size(x));
  polyNormForwardRows(cpuFloats(b, x), cpuFloats(b, a), eps(attrs), lastDim(x), out);
  return b.makeTensorInfo(x.shape, "float32", out);
};

const polyNormGradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const dx = new Float32Array(size(x));
  const da = new Float64Array(a.shape[0]);
  const f = (t: tf.TensorInfo) => cpuFloats(b, t);
  polyNormBackwardRows(f(dy), f(x), f(a), eps(attrs), lastDim(x), dx, da);
  return [b.makeTensorInfo(x.shape, "float32", dx), cpuParts(b, da)];
};

const polyReLUCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as CpuBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  const out = new Float32Array(size(x));
  polyReLUForwardFlat(cpuFloats(b, x), cpuFloats(b, a), out);
  return b.makeTensorInfo(x.shape, "float32", out);
};

const polyReLUGradCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as CpuBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const dx = new Float32Array(size(x));
  const da = new Float64Array(a.shape[0]);
  polyReLUBackwardFlat(cpuFloats(b, dy), cpuFloats(b, x), cpuFloats(b, a), dx, da);
  return [b.makeTensorInfo(x.shape, "float32", dx), cpuParts(b, da)];
};

/** The part of tfjs-backend-wasm's emscripten module the SIMD binding needs. */
export interface EmscriptenModuleLike {
  asm?: { memory?: WebAssembly.Memory };
  _malloc(bytes: number): number;
}

/** Each tfjs heap's binding: the module bound to its memory, with a scratch block allocated there once. */
const bound = new WeakMap<object, PolycomSimd | null>();

/**
 * The SIMD module bound to a tfjs wasm heap, or `null` when it cannot be
 * (no SIMD, or a heap that does not expose its memory).
 *
 * @example
 * ```ts
 * declare const backend: { wasm: EmscriptenModuleLike };
 * declare const pointer: number, n: number;
 * const simd = polycomSimdFor(backend.wasm);
 * if (simd) simd.exports.max_abs(pointer, n);
 * ```
 */
export function polycomSimdFor(module: EmscriptenModuleLike): PolycomSimd | null {
  if (bound.has(module)) return bound.get(module) ?? null;
  const memory = module.asm?.memory;
  const exports = memory instanceof WebAssembly.Memory ? POLYCOM_SIMD.on(memory) : null;
  const simd = exports && memory ? { exports, memory, scratch: module._malloc(SCRATCH.bytes) >>> 0 } : null;
  bound.set(module, simd);
  return simd;
}

/** The part of tfjs-backend-wasm's BackendWasm the wasm kernels use. */
interface WasmBackend extends HeapBackend {
  wasm: EmscriptenModuleLike;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
}

function pointer(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** The SIMD module when it can take an order-r call, else null. */
function simdFor(backend: WasmBackend, a: tf.TensorInfo): PolycomSimd | null {
  return a.shape[0] - 1 <= SIMD_MAX_ORDER ? polycomSimdFor(backend.wasm) : null;
}

/**
 * Runs a PolyCom SIMD task over the worker pool, part 0 in place with
 * `simd`; a backward task's da summed over its `blocks` in order.
 */
function runSimdTask(
  backend: WasmBackend,
  simd: PolycomSimd,
  task: "polyNormForward" | "polyNormBackward" | "polyReLUForward" | "polyReLUBackward",
  args: number[],
  work: number,
  sums?: { blocks: ReductionBlocks; da: Float64Array },
): void {
  setInPlaceSimd(simd);
  // The target after the kernel's allocations: a growing heap replaces the view.
  const partial = runHeapTask(heapTarget(backend), task, args, work);
  if (sums) addBlockSums(partial, sums.blocks, sums.da.length, sums.da);
}

const polyNormWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  const out = b.makeOutput(x.shape, "float32");
  const simd = simdFor(b, a);
  const [n, count] = [lastDim(x), a.shape[0]];
  if (simd) {
    const args = [pointer(b, x) / 4, pointer(b, out) / 4, size(x) / n, n, pointer(b, a) / 4, count, eps(attrs)];
    runSimdTask(b, simd, "polyNormForward", args, size(x));
  } else {
    polyNormForwardRows(heapFloats(b, x), Float64Array.from(heapFloats(b, a)), eps(attrs), n, heapFloats(b, out));
  }
  return out;
};

const polyNormGradWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const dx = b.makeOutput(x.shape, "float32");
  const parts = b.makeOutput([1, a.shape[0]], "float32");
  const da = new Float64Array(a.shape[0]);
  const simd = simdFor(b, a);
  const [n, e] = [lastDim(x), eps(attrs)];
  if (simd) {
    const at = (t: tf.TensorInfo) => pointer(b, t) / 4;
    const args = [at(dy), at(x), at(dx), size(x) / n, n, at(a), a.shape[0], e];
    runSimdTask(b, simd, "polyNormBackward", args, size(x), { blocks: polyNormBlocks(size(x) / n, da.length), da });
  } else {
    const coeffs = Float64Array.from(heapFloats(b, a));
    polyNormBackwardRows(heapFloats(b, dy), heapFloats(b, x), coeffs, e, n, heapFloats(b, dx), da);
  }
  heapFloats(b, parts).set(da);
  return [dx, parts];
};

const polyReLUWasm: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WasmBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  const out = b.makeOutput(x.shape, "float32");
  const simd = simdFor(b, a);
  if (simd) {
    const args = [pointer(b, x) / 4, pointer(b, out) / 4, size(x), pointer(b, a) / 4, a.shape[0]];
    runSimdTask(b, simd, "polyReLUForward", args, size(x));
  } else {
    polyReLUForwardFlat(heapFloats(b, x), Float64Array.from(heapFloats(b, a)), heapFloats(b, out));
  }
  return out;
};

const polyReLUGradWasm: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WasmBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const dx = b.makeOutput(x.shape, "float32");
  const parts = b.makeOutput([1, a.shape[0]], "float32");
  const da = new Float64Array(a.shape[0]);
  const simd = simdFor(b, a);
  if (simd) {
    const at = (t: tf.TensorInfo) => pointer(b, t) / 4;
    const args = [at(dy), at(x), at(dx), size(x), at(a), a.shape[0]];
    runSimdTask(b, simd, "polyReLUBackward", args, size(x), { blocks: polyReLUBlocks(size(x), da.length), da });
  } else {
    const coeffs = Float64Array.from(heapFloats(b, a));
    polyReLUBackwardFlat(heapFloats(b, dy), heapFloats(b, x), coeffs, heapFloats(b, dx), da);
  }
  heapFloats(b, parts).set(da);
  return [dx, parts];
};

/**
 * The cpu and wasm kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of POLYCOM_KERNELS) tf.registerKernel(config);
 * ```
 */
export const POLYCOM_KERNELS: tf.KernelConfig[] = [
  { kernelName: POLY_NORM, backendName: "cpu", kernelFunc: polyNormCpu },
  { kernelName: POLY_NORM_GRAD, backendName: "cpu", kernelFunc: polyNormGradCpu },
  { kernelName: POLY_RELU, backendName: "cpu", kernelFunc: polyReLUCpu },
  { kernelName: POLY_RELU_GRAD, backendName: "cpu", kernelFunc: polyReLUGradCpu },
  { kernelName: POLY_NORM, backendName: "wasm", kernelFunc: polyNormWasm },
  { kernelName: POLY_NORM_GRAD, backendName: "wasm", kernelFunc: polyNormGradWasm },
  { kernelName: POLY_RELU, backendName: "wasm", kernelFunc: polyReLUWasm },
  { kernelName: POLY_RELU_GRAD, backendName: "wasm", kernelFunc: polyReLUGradWasm },
];

/** A forward kernel's gradient: one run of its gradient kernel gives dx and da (da summed over all rows). */
function fusedGradient(gradKernel: string): tf.GradConfig["gradFunc"] {
  return (dy, saved, attrs) => {
    const [x, a] = saved;
    // Both gradients come from one kernel run, so it runs here rather than in
    // the per-input closures; the engine disposes whatever is not returned.
    const [dx, parts] = tf.engine().runKernel<tf.Tensor[]>(gradKernel, { dy: dy as tf.Tensor, x, a }, attrs);
    const width = a.shape[0];
    return {
      x: () => dx,
      a: () => {
        const used = parts.shape[1] === width ? parts : tf.slice(parts, [0, 0], [parts.shape[0], width]);
        return parts.shape[0] === 1 ? tf.reshape(used, [width]) : tf.sum(used, 0);
      },
    };
  };
}

/**
 * Gradient configs of the forward kernels (every backend), for `tf.registerGradient`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of POLYCOM_GRADIENTS) tf.registerGradient(config);
 * ```
 */
export const POLYCOM_GRADIENTS: tf.GradConfig[] = [
  { kernelName: POLY_NORM, inputsToSave: ["x", "a"], gradFunc: fusedGradient(POLY_NORM_GRAD) },
  { kernelName: POLY_RELU, inputsToSave: ["x", "a"], gradFunc: fusedGradient(POLY_RELU_GRAD) },
];
