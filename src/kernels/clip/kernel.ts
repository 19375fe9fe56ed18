/**
 * `FusedClipByGlobalNorm` on `cpu` and `wasm`: one kernel call clips every
 * gradient, in place of a square, a sum and a multiply per gradient.
 * Inputs `g0, g1, …`; attrs {count, maxNorm}; outputs `[clipped0, …, norm]`.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { type CpuBackend, fusedInputs, type HeapBackend } from "../fused/mod.ts";
import { heapOffset, heapTarget, MAX_TASK_ARGS, partRange, runHeapTask } from "../parallel/mod.ts";
import { clipFactor, clipFactorOf, scaleInto } from "./math.ts";
import { clipChunks } from "./tasks.ts";

/** The kernel's name. */
export const FUSED_CLIP_BY_GLOBAL_NORM = "FusedClipByGlobalNorm";

/** Attributes of {@linkcode FUSED_CLIP_BY_GLOBAL_NORM}. */
export interface ClipAttrs {
  [key: string]: number;
  count: number;
  maxNorm: number;
}

const { kernelInputs, cpuFloats, heapFloats } = fusedInputs("fused clipping");

function gradients(inputs: tf.NamedTensorInfoMap, count: number): tf.TensorInfo[] {
  const names = Array.from({ length: count }, (_, i) => `g${i}`);
  const found = kernelInputs(inputs, ...names);
  return names.map((n) => found[n]);
}

const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { count, maxNorm } = attrs as ClipAttrs;
  const gs = gradients(inputs, count);
  const values = gs.map((g) => cpuFloats(b, g));
  const { norm, scale } = clipFactor(values, maxNorm);
  const out = gs.map((g, i) => {
    const clipped = new Float32Array(values[i].length);
    scaleInto(values[i], scale, clipped);
    return b.makeTensorInfo(g.shape, "float32", clipped);
  });
  return [...out, b.makeTensorInfo([], "float32", Float32Array.of(norm))];
};

const wasmKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as HeapBackend;
  const { count, maxNorm } = attrs as ClipAttrs;
  const gs = gradients(inputs, count);
  // Every output first: an allocation may grow the heap and detach views taken before it.
  const out = [...gs.map((g) => b.makeOutput(g.shape, "float32")), b.makeOutput([], "float32")];
  if (2 + 3 * count > MAX_TASK_ARGS) {
    // More gradients than one task's arguments hold: one thread, float64 loops.
    const values = gs.map((g) => heapFloats(b, g));
    const { norm, scale } = clipFactor(values, maxNorm);
    gs.forEach((_, i) => scaleInto(values[i], scale, heapFloats(b, out[i])));
    heapFloats(b, out[count])[0] = norm;
    return out;
  }
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  const sizes = gs.map((g) => g.shape.reduce((p, d) => p * d, 1));
  const total = sizes.reduce((a, s) => a + s, 0);
  const list = gs.flatMap((g, i) => [at(g), sizes[i]]);
  const partial = runHeapTask(heapTarget(backend), "clipSumSquares", [count, ...list], total);
  // The chunks' sums in chunk order, whichever part summed them.
  const chunks = clipChunks(sizes).length;
  let sum = 0;
  partial.forEach((slots, p) => {
    const [lo, hi] = partRange(chunks, p, partial.length);
    for (let c = lo; c < hi; c++) sum += slots[c - lo];
  });
  const { norm, scale } = clipFactorOf(sum, maxNorm);
  runHeapTask(heapTarget(backend), "clipScale", [scale, count, ...list, ...out.slice(0, count).map(at)], total);
  heapFloats(b, out[count])[0] = norm;
  return out;
};

/**
 * The kernel configs (cpu, wasm), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of CLIP_KERNELS) tf.registerKernel(config);
 * ```
 */
export const CLIP_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_CLIP_BY_GLOBAL_NORM, backendName: "cpu", kernelFunc: cpuKernel },
  { kernelName: FUSED_CLIP_BY_GLOBAL_NORM, backendName: "wasm", kernelFunc: wasmKernel },
];
