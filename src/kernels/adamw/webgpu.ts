/**
 * `FusedAdamW` on `webgpu`: three element-wise programs per parameter (new
 * m, new v, then new p from them), in place of about twelve stock kernels
 * per parameter. A tfjs WebGPU program writes one output, and a program may
 * bind only a few storage buffers (8 on lavapipe), so neither the three
 * outputs of one parameter nor all parameters fit one program; the state
 * stays three tensors per parameter (the optimizer and checkpoint format).
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { ElementwiseProgram, type Uniform, type WebGPUBackendLike } from "../fused/mod.ts";
import { FUSED_ADAMW, type FusedAdamWAttrs } from "./kernel.ts";
import type { AdamWConstants } from "./math.ts";

/** Which tensor a program writes. */
export type AdamWTarget = "m" | "v" | "p";

/** The constants, in the order of {@linkcode AdamWProgram}'s uniforms. */
const CONSTANTS = ["b1", "b1c", "b2", "b2c", "bc2", "eps", "step", "decay"] as const;

function inputNames(target: AdamWTarget, grad: boolean): string[] {
  if (target === "p") return ["p", "m", "v"];
  return grad ? [target, "g"] : [target];
}

/**
 * One AdamW output over a parameter of `size` elements, in the float32 order
 * of the unfused ops: `m' = m·β1 + g·(1−β1)`, `v' = v·β2 + g²·(1−β2)`
 * (inputs {m|v, g}; without `grad` the moment only decays), and
 * `p' = p·decay − (m'/(sqrt(v')/bc2 + eps))·step` (inputs {p, m', v'}).
 *
 * @example
 * ```ts
 * new AdamWProgram(1024, "m", true).variableNames; // ["m", "g"]
 * ```
 */
export class AdamWProgram extends ElementwiseProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = CONSTANTS.map((c) => `${c} : f32,`).join(" ");

  constructor(size: number, readonly target: AdamWTarget, readonly grad: boolean) {
    super([1, size], size, (c) => inputNames(target, grad).map(() => c));
    this.variableNames = inputNames(target, grad);
    this.shaderKey = `fused_adamw_${target}_${grad ? "g" : "nog"}_c${this.c}`;
  }

  getUserCode(): string {
    const u = "uniforms";
    const value = {
      m: this.grad ? `m[index] * ${u}.b1 + g[index] * ${u}.b1c` : `m[index] * ${u}.b1`,
      v: this.grad ? `v[index] * ${u}.b2 + (g[index] * g[index]) * ${u}.b2c` : `v[index] * ${u}.b2`,
      p: `p[index] * ${u}.decay - (m[index] / (sqrt(v[index]) / ${u}.bc2 + ${u}.eps)) * ${u}.step`,
    }[this.target];
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      result[index] = ${value};
    }
  }`;
  }
}

/**
 * The uniforms of one parameter's programs (`decay` 1 when it does not decay).
 *
 * @example
 * ```ts
 * adamwUniforms(adamwConstants([0.9, 0.95], 1e-8, 0.1, 1e-3, 1), true).length; // 8
 * ```
 */
export function adamwUniforms(c: AdamWConstants, decay: boolean): Uniform[] {
  return CONSTANTS.map((name) => ({ type: "float32", data: [name === "decay" && !decay ? 1 : c[name]] }));
}

function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`fused AdamW kernel called without ${name}`);
  return t;
}

const adamwWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUBackendLike;
  const a = attrs as unknown as FusedAdamWAttrs;
  return Array.from({ length: a.count }, (_, i) => {
    const [p, m, v] = ["p", "m", "v"].map((n) => input(inputs, `${n}${i}`));
    const g = inputs[`g${i}`];
    for (const t of [m, v, ...(g ? [g] : [])]) {
      if (String(t.shape) !== String(p.shape)) {
        throw new Error(`fused AdamW needs p${i}, m${i}, v${i}, g${i} of one shape, got [${p.shape}] and [${t.shape}]`);
      }
    }
    const size = p.shape.reduce((x, y) => x * y, 1);
    const uniforms = adamwUniforms(a, a.decayMask[i] === 1);
    const run = (target: AdamWTarget, ins: tf.TensorInfo[]) => {
      const out = b.runWebGPUProgram(new AdamWProgram(size, target, g !== undefined), ins, "float32", uniforms);
      // The programs write [1, size]; the same buffer under the parameter's shape, as a reshape would give.
      return { dataId: out.dataId, shape: p.shape, dtype: "float32" as const };
    };
    const grad = g ? [g] : [];
    const mNext = run("m", [m, ...grad]);
    const vNext = run("v", [v, ...grad]);
    return [run("p", [p, mNext, vNext]), mNext, vNext];
  }).flat();
};

/**
 * The webgpu kernel config, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * for (const config of ADAMW_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const ADAMW_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_ADAMW, backendName: "webgpu", kernelFunc: adamwWebGPU },
];
