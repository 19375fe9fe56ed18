/**
 * `FusedAdamW`: one kernel call updates every parameter of a model (cpu and
 * wasm), in place of about fifteen elementwise kernels per parameter.
 *
 * Inputs `p0, m0, v0, g0, p1, …` (a `g<i>` may be absent: zero gradient);
 * attrs: the float32 constants of {@linkcode AdamWConstants}, `count`, and
 * `decayMask` (1 where parameter i decays). Outputs `[p0', m0', v0', p1', …]`.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { type CpuBackend, fusedInputs, type HeapBackend } from "../fused/mod.ts";
import { type AdamWConstants, adamwUpdate } from "./math.ts";

/** The kernel's name. */
export const FUSED_ADAMW = "FusedAdamW";

/** Attributes of {@linkcode FUSED_ADAMW}. */
export interface FusedAdamWAttrs extends AdamWConstants {
  count: number;
  decayMask: number[];
}

const { cpuFloats, heapFloats } = fusedInputs("fused AdamW");

function slots(inputs: tf.NamedTensorInfoMap, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const p = inputs[`p${i}`], m = inputs[`m${i}`], v = inputs[`v${i}`];
    if (!p || !m || !v) throw new Error(`fused AdamW kernel called without p${i}, m${i} or v${i}`);
    return { p, m, v, g: inputs[`g${i}`] ?? null };
  });
}

const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const a = attrs as unknown as FusedAdamWAttrs;
  const out: tf.TensorInfo[] = [];
  slots(inputs, a.count).forEach((s, i) => {
    const n = s.p.shape.reduce((x, y) => x * y, 1);
    const [p, m, v] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    const g = s.g ? cpuFloats(b, s.g) : null;
    adamwUpdate(cpuFloats(b, s.p), g, cpuFloats(b, s.m), cpuFloats(b, s.v), p, m, v, a, a.decayMask[i] === 1);
    out.push(
      b.makeTensorInfo(s.p.shape, "float32", p),
      b.makeTensorInfo(s.p.shape, "float32", m),
      b.makeTensorInfo(s.p.shape, "float32", v),
    );
  });
  return out;
};

const wasmKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as HeapBackend;
  const a = attrs as unknown as FusedAdamWAttrs;
  const all = slots(inputs, a.count);
  // Every output first: an allocation may grow the heap and detach views taken before it.
  const out = all.flatMap((s) => [0, 1, 2].map(() => b.makeOutput(s.p.shape, "float32")));
  all.forEach((s, i) => {
    const [p, m, v] = [0, 1, 2].map((j) => heapFloats(b, out[3 * i + j]));
    const g = s.g ? heapFloats(b, s.g) : null;
    adamwUpdate(heapFloats(b, s.p), g, heapFloats(b, s.m), heapFloats(b, s.v), p, m, v, a, a.decayMask[i] === 1);
  });
  return out;
};

/**
 * The kernel configs (cpu, wasm), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * for (const config of ADAMW_KERNELS) tf.registerKernel(config);
 * ```
 */
export const ADAMW_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_ADAMW, backendName: "cpu", kernelFunc: cpuKernel },
  { kernelName: FUSED_ADAMW, backendName: "wasm", kernelFunc: wasmKernel },
];
