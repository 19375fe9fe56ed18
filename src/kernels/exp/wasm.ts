/**
 * `Exp` for the `wasm` backend with the SIMD exponential of
 * {@linkcode mathModuleBytes}.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { mathModuleBytes } from "./_wasm_module.ts";

type TensorInfo = tf.TensorInfo;

interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory }; HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
}

interface MathExports {
  exp_f32(src: number, dst: number, n: number): void;
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

/**
 * SIMD `Exp` for float32 tensors.
 *
 * @example
 * ```ts
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
