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
import { heapOffset, heapTarget, MAX_TASK_ARGS, runHeapTask } from "../parallel/mod.ts";
import { ADAMW_TASK_HEAD, ADAMW_TASK_STRIDE } from "./tasks.ts";
import { type AdamWConstants, adamwUpdate } from "./math.ts";

/** The kernel's name. */
export const FUSED_ADAMW = "FusedAdamW";

/** Attributes of {@linkcode FUSED_ADAMW}. */
export interface FusedAdamWAttrs extends AdamWConstants {
  count: number;
  decayMask: number[];
}

/**
 * The flat AdamW step's name (webgpu only): global-norm clipping and the
 * update of every parameter, with the moments in one flat array each.
 * Inputs `p0, g0, p1, …` (a `g<i>` may be absent: zero gradient), `m`, `v`
 * (flat, parameters in input order, length rounded up to a multiple of 4);
 * the first `decayCount` parameters decay. Outputs `[p0', p1', …, m', v', norm]`.
 */
export const FLAT_ADAMW = "FlatAdamW";

/** Attributes of {@linkcode FLAT_ADAMW}: `clip` 1 scales the gradients to `maxNorm`. */
export interface FlatAdamWAttrs extends AdamWConstants {
  count: number;
  decayCount: number;
  clip: number;
  maxNorm: number;
}

const { cpuFloats } = fusedInputs("fused AdamW");

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
  const head = [a.b1, a.b1c, a.b2, a.b2c, a.bc2, a.eps, a.step, a.decay];
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  // The target after the allocations: a growing heap replaces the view.
  const target = heapTarget(backend);
  const perJob = Math.floor((MAX_TASK_ARGS - ADAMW_TASK_HEAD) / ADAMW_TASK_STRIDE);
  for (let first = 0; first < all.length; first += perJob) {
    const args = [...head];
    let work = 0;
    all.slice(first, first + perJob).forEach((s, j) => {
      const i = first + j, n = s.p.shape.reduce((x, y) => x * y, 1);
      const [p, m, v] = [0, 1, 2].map((k) => at(out[3 * i + k]));
      args.push(at(s.p), s.g ? at(s.g) : -1, at(s.m), at(s.v), p, m, v, n, a.decayMask[i] === 1 ? 1 : 0);
      work += n;
    });
    runHeapTask(target, "adamw", args, work);
  }
  return out;
};

/**
 * The kernel configs (cpu, wasm), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of ADAMW_KERNELS) tf.registerKernel(config);
 * ```
 */
export const ADAMW_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_ADAMW, backendName: "cpu", kernelFunc: cpuKernel },
  { kernelName: FUSED_ADAMW, backendName: "wasm", kernelFunc: wasmKernel },
];
