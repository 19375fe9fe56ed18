/**
 * Fused PolyCom kernels for the `wasm` backend. Orders up to 4 run in the
 * SIMD module of `_simd.ts`, in place on the tfjs heap; higher orders, or a
 * runtime without wasm SIMD, use the float64 JavaScript loops on heap views.
 * Outputs are allocated before any view or pointer is used, because an
 * allocation may grow the heap and detach earlier views.
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { HeapBackend } from "../kernels/fused/mod.ts";
import {
  heapFloats as heap,
  kernelInputs,
  lastDim,
  POLY_NORM,
  POLY_NORM_GRAD,
  POLY_RELU,
  POLY_RELU_GRAD,
} from "./_kernel_names.ts";
import type { PolyNormAttrs } from "./_kernel_names.ts";
import { polyNormBackwardRows, polyNormForwardRows, polyReLUBackwardFlat, polyReLUForwardFlat } from "./_row_math.ts";
import {
  type EmscriptenModuleLike,
  type PolycomSimd,
  polycomSimdFor,
  SIMD_MAX_ORDER,
  simdPolyNormBackward,
  simdPolyNormForward,
  simdPolyReLUBackward,
  simdPolyReLUForward,
} from "./_simd.ts";

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
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

function size(t: tf.TensorInfo): number {
  return tf.util.sizeFromShape(t.shape);
}

const polyNormWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  const out = b.makeOutput(x.shape, "float32");
  const eps = (attrs as PolyNormAttrs).eps;
  const simd = simdFor(b, a);
  const coeffs = Float64Array.from(heap(b, a));
  if (simd) simdPolyNormForward(simd, pointer(b, x), pointer(b, out), size(x), lastDim(x), coeffs, eps);
  else polyNormForwardRows(heap(b, x), coeffs, eps, lastDim(x), heap(b, out));
  return out;
};

const polyNormGradWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const dx = b.makeOutput(x.shape, "float32");
  const parts = b.makeOutput([1, a.shape[0]], "float32");
  const da = new Float64Array(a.shape[0]);
  const eps = (attrs as PolyNormAttrs).eps;
  const simd = simdFor(b, a);
  const coeffs = Float64Array.from(heap(b, a));
  if (simd) {
    simdPolyNormBackward(simd, pointer(b, dy), pointer(b, x), pointer(b, dx), size(x), lastDim(x), coeffs, eps, da);
  } else {
    polyNormBackwardRows(heap(b, dy), heap(b, x), coeffs, eps, lastDim(x), heap(b, dx), da);
  }
  heap(b, parts).set(da);
  return [dx, parts];
};

const polyReLUWasm: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WasmBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  const out = b.makeOutput(x.shape, "float32");
  const simd = simdFor(b, a);
  const coeffs = Float64Array.from(heap(b, a));
  if (simd) simdPolyReLUForward(simd, pointer(b, x), pointer(b, out), size(x), coeffs);
  else polyReLUForwardFlat(heap(b, x), coeffs, heap(b, out));
  return out;
};

const polyReLUGradWasm: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WasmBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const dx = b.makeOutput(x.shape, "float32");
  const parts = b.makeOutput([1, a.shape[0]], "float32");
  const da = new Float64Array(a.shape[0]);
  const simd = simdFor(b, a);
  const coeffs = Float64Array.from(heap(b, a));
  if (simd) simdPolyReLUBackward(simd, pointer(b, dy), pointer(b, x), pointer(b, dx), size(x), coeffs, da);
  else polyReLUBackwardFlat(heap(b, dy), heap(b, x), coeffs, heap(b, dx), da);
  heap(b, parts).set(da);
  return [dx, parts];
};

/**
 * The wasm kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * for (const config of WASM_KERNELS) tf.registerKernel(config);
 * ```
 */
export const WASM_KERNELS: tf.KernelConfig[] = [
  { kernelName: POLY_NORM, backendName: "wasm", kernelFunc: polyNormWasm },
  { kernelName: POLY_NORM_GRAD, backendName: "wasm", kernelFunc: polyNormGradWasm },
  { kernelName: POLY_RELU, backendName: "wasm", kernelFunc: polyReLUWasm },
  { kernelName: POLY_RELU_GRAD, backendName: "wasm", kernelFunc: polyReLUGradWasm },
];
