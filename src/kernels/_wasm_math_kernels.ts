/**
 * `Exp`, `Sigmoid` and `Softmax` for the `wasm` backend with the SIMD
 * exponential of {@linkcode mathModuleBytes}. Only `Exp` is installed by
 * default: tfjs's own `Sigmoid` and `Softmax` measured faster (see install.ts).
 * @module
 */
import type { tf } from "../backend/tf.ts";
import { mathModuleBytes } from "./_math_module.ts";

type TensorInfo = tf.TensorInfo;

interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory }; HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
}

interface MathExports {
  exp_f32(src: number, dst: number, n: number): void;
  sigmoid_f32(src: number, dst: number, n: number): void;
  softmax_rows(src: number, dst: number, rows: number, cols: number): void;
}

let mathModule: WebAssembly.Module | undefined;
const instances = new WeakMap<object, MathExports>();

function mathFor(backend: WasmBackendLike): MathExports {
  let fns = instances.get(backend);
  if (!fns) {
    mathModule ??= new WebAssembly.Module(mathModuleBytes());
    fns = new WebAssembly.Instance(mathModule, { env: { memory: backend.wasm.asm.memory } })
      .exports as unknown as MathExports;
    instances.set(backend, fns);
  }
  return fns;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function unary(
  name: "exp_f32" | "sigmoid_f32",
  scalar: (x: number) => number,
  fallback: tf.KernelFunc,
): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== "float32") return fallback(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput([...x.shape], "float32");
    const n = sizeOf(x.shape);
    const src = backend.dataIdMap.get(x.dataId).memoryOffset, dst = backend.dataIdMap.get(out.dataId).memoryOffset;
    const whole = n & ~3;
    if (whole) mathFor(backend)[name](src, dst, whole);
    // The last 0-3 elements: not worth a scalar path in WebAssembly.
    const heap = backend.wasm.HEAPF32;
    for (let i = whole; i < n; i++) heap[dst / 4 + i] = scalar(heap[src / 4 + i]);
    return out;
  };
}

/**
 * SIMD `Exp` for float32 tensors.
 *
 * @example
 * ```ts
 * const exp = wasmExp(tf.getKernel("Exp", "wasm")!.kernelFunc);
 * ```
 */
export function wasmExp(fallback: tf.KernelFunc): tf.KernelFunc {
  return unary("exp_f32", Math.exp, fallback);
}

/**
 * SIMD `Sigmoid` for float32 tensors.
 *
 * @example
 * ```ts
 * const sigmoid = wasmSigmoid(tf.getKernel("Sigmoid", "wasm")!.kernelFunc);
 * ```
 */
export function wasmSigmoid(fallback: tf.KernelFunc): tf.KernelFunc {
  return unary("sigmoid_f32", (v) => 1 / (1 + Math.exp(-v)), fallback);
}

/**
 * SIMD `Softmax` over the last axis when its size is a multiple of 4 (the
 * attention's rows); other shapes go to tfjs's kernel.
 *
 * @example
 * ```ts
 * const softmax = wasmSoftmax(tf.getKernel("Softmax", "wasm")!.kernelFunc);
 * ```
 */
export function wasmSoftmax(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { logits } = args.inputs as { logits: TensorInfo };
    const { dim } = args.attrs as unknown as { dim: number };
    const rank = logits.shape.length;
    const cols = logits.shape[rank - 1];
    if (logits.dtype !== "float32" || rank === 0 || (dim !== -1 && dim !== rank - 1) || cols % 4 !== 0) {
      return fallback(args);
    }
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput([...logits.shape], "float32");
    const rows = sizeOf(logits.shape) / Math.max(cols, 1);
    if (rows * cols > 0) {
      mathFor(backend).softmax_rows(
        backend.dataIdMap.get(logits.dataId).memoryOffset,
        backend.dataIdMap.get(out.dataId).memoryOffset,
        rows,
        cols,
      );
    }
    return out;
  };
}
