/**
 * `FusedAdamW` on `webgpu`: one element-wise program per parameter writes
 * the new p, m and v (m and v as extra outputs, see `runWithOutputs`), in
 * place of about twelve stock kernels per parameter. All parameters cannot
 * share one program: a program binds at most 8 storage buffers (WebGPU's
 * default limit, which tfjs keeps) and one parameter takes seven. The state
 * stays three tensors per parameter (the optimizer and checkpoint format).
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { ElementwiseProgram, runWithOutputs, type Uniform, type WebGPUKernelBackend } from "../fused/mod.ts";
import { FUSED_ADAMW, type FusedAdamWAttrs } from "./kernel.ts";
import type { AdamWConstants } from "./math.ts";

/** The constants, in the order of {@linkcode AdamWProgram}'s uniforms. */
const CONSTANTS = ["b1", "b1c", "b2", "b2c", "bc2", "eps", "step", "decay"] as const;

/**
 * The AdamW update of a parameter of `size` elements, in the float32 order
 * of the unfused ops: `m' = m·β1 + g·(1−β1)`, `v' = v·β2 + g²·(1−β2)`,
 * `p' = p·decay − (m'/(sqrt(v')/bc2 + eps))·step`. Writes p' (`result`) and
 * the outputs mOut, vOut; reads p, m, v and, with `grad`, g (without it the
 * moments only decay).
 *
 * @example
 * ```ts
 * new AdamWProgram(1024, true).variableNames; // ["mOut", "vOut", "p", "m", "v", "g"]
 * ```
 */
export class AdamWProgram extends ElementwiseProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = CONSTANTS.map((c) => `${c} : f32,`).join(" ");

  constructor(size: number, readonly grad: boolean) {
    const names = ["mOut", "vOut", "p", "m", "v", ...(grad ? ["g"] : [])];
    super([1, size], size, (c) => names.map(() => c));
    this.variableNames = names;
    this.shaderKey = `fused_adamw_${grad ? "g" : "nog"}_c${this.c}`;
  }

  getUserCode(): string {
    const u = "uniforms";
    const [m, v] = this.grad
      ? [`m[index] * ${u}.b1 + g[index] * ${u}.b1c`, `v[index] * ${u}.b2 + (g[index] * g[index]) * ${u}.b2c`]
      : [`m[index] * ${u}.b1`, `v[index] * ${u}.b2`];
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let mi = ${m};
      let vi = ${v};
      mOut[index] = mi;
      vOut[index] = vi;
      result[index] = p[index] * ${u}.decay - (mi / (sqrt(vi) / ${u}.bc2 + ${u}.eps)) * ${u}.step;
    }
  }`;
  }
}

/**
 * The uniforms of one parameter's programs (`decay` 1 when it does not decay).
 *
 * @example
 * ```ts
 * import { adamwConstants } from "./math.ts";
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
  const b = backend as unknown as WebGPUKernelBackend;
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
    const program = new AdamWProgram(size, g !== undefined);
    const uniforms = adamwUniforms(a, a.decayMask[i] === 1);
    return runWithOutputs(b, program, [p, m, v, ...(g ? [g] : [])], [p.shape, p.shape, p.shape], uniforms);
  }).flat();
};

/**
 * The webgpu kernel config, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of ADAMW_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const ADAMW_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_ADAMW, backendName: "webgpu", kernelFunc: adamwWebGPU },
];
