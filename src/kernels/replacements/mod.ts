/**
 * Faster versions of stock tfjs kernels, swapped in by `installFastKernels`:
 * data movement (`Identity`, `Cast`, `Concat`, `SplitV`, `GatherV2`,
 * `Transpose`), `Sum` and `Exp` on `wasm`; flat `Add` / `Sub` / `Multiply` /
 * `RealDiv`, `SplitV`, `Transpose` and `Softmax` on `cpu`. Each falls back
 * to the stock kernel for what it does not take.
 *
 * @example
 * ```ts
 * import { registerKernels } from "../registry.ts";
 * import { STOCK_REPLACEMENTS } from "./mod.ts";
 * registerKernels({ replacements: STOCK_REPLACEMENTS });
 * ```
 * @module
 */
import type { Replacement } from "../registry.ts";
import { cpuBinary, cpuSoftmax, cpuSplitV, cpuTranspose } from "./cpu.ts";
import {
  wasmCast,
  wasmConcat,
  wasmExp,
  wasmGatherV2,
  wasmIdentity,
  wasmSplitV,
  wasmSum,
  wasmTranspose,
} from "./wasm.ts";

/** The replacements of this folder. */
export const STOCK_REPLACEMENTS: readonly Replacement[] = [
  { kernelName: "Identity", backendName: "wasm", make: wasmIdentity },
  { kernelName: "Cast", backendName: "wasm", make: wasmCast },
  { kernelName: "Concat", backendName: "wasm", make: wasmConcat },
  { kernelName: "SplitV", backendName: "wasm", make: wasmSplitV },
  { kernelName: "GatherV2", backendName: "wasm", make: wasmGatherV2 },
  { kernelName: "Sum", backendName: "wasm", make: wasmSum },
  { kernelName: "Exp", backendName: "wasm", make: wasmExp },
  { kernelName: "Transpose", backendName: "wasm", make: wasmTranspose },
  // No Sigmoid or Softmax on wasm: the model's sigmoid and softmax run inside the fused SwiGLU and attention
  // kernels (SIMD on every heap thread); stand-alone SIMD replacements on one thread are slower than tfjs's XNNPACK.
  { kernelName: "Add", backendName: "cpu", make: (o) => cpuBinary((x, y) => x + y, o) },
  { kernelName: "Sub", backendName: "cpu", make: (o) => cpuBinary((x, y) => x - y, o) },
  { kernelName: "Multiply", backendName: "cpu", make: (o) => cpuBinary((x, y) => x * y, o) },
  { kernelName: "RealDiv", backendName: "cpu", make: (o) => cpuBinary((x, y) => x / y, o) },
  { kernelName: "SplitV", backendName: "cpu", make: cpuSplitV },
  { kernelName: "Transpose", backendName: "cpu", make: cpuTranspose },
  { kernelName: "Softmax", backendName: "cpu", make: cpuSoftmax },
];
