/**
 * `FusedAdamW` on `webgpu`: one element-wise program per parameter writes
 * the new p, m and v (m and v as extra outputs, see `runWithOutputs`), in
 * place of about twelve stock kernels per parameter. All parameters cannot
 * share one program: a program binds at most 8 storage buffers (WebGPU's
 * default limit, which tfjs keeps) and one parameter takes seven. The state
 * stays three tensors per parameter (the optimizer and checkpoint format).
 *
 * `FlatAdamW` (the optimizer's step on webgpu) avoids that limit: the
 * parameters and gradients are copied into one flat array (copy commands,
 * not dispatches), one program sums the squares of the gradients in
 * partial sums, one clips and updates every parameter against flat moments,
 * and the new parameters are copied back out: two dispatches a step.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import {
  ElementwiseProgram,
  isSoftwareAdapter,
  runWithOutputs,
  type Uniform,
  type WebGPUKernelBackend,
} from "../fused/mod.ts";
import { bufferCopies } from "./_webgpu_copy.ts";
import { FlatAdamWProgram, FlatSumSquaresProgram } from "./_webgpu_programs.ts";
import { FLAT_ADAMW, type FlatAdamWAttrs, FUSED_ADAMW, type FusedAdamWAttrs } from "./kernel.ts";
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

/** Floats of a shape. */
const sizeOf = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

const flatAdamWWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUKernelBackend;
  const a = attrs as unknown as FlatAdamWAttrs;
  const ps = Array.from({ length: a.count }, (_, i) => input(inputs, `p${i}`));
  const [m, v] = [input(inputs, "m"), input(inputs, "v")];
  const sizes = ps.map((p) => sizeOf(p.shape));
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((x, y) => x + y, 0));
  const total = offsets.length ? offsets[a.count - 1] + sizes[a.count - 1] : 0;
  const n4 = Math.ceil(total / 4);
  if (String(m.shape) !== String([n4 * 4]) || String(v.shape) !== String([n4 * 4])) {
    throw new Error(`flat AdamW needs m and v of shape [${n4 * 4}], got [${m.shape}] and [${v.shape}]`);
  }
  const copies = bufferCopies(b);
  // Parameters in [0, n4·4), gradients in [n4·4, 2·n4·4); padding and absent gradients are zeros.
  const pg = b.makeTensorInfo([2 * n4 * 4], "float32");
  ps.forEach((p, i) => {
    const g = inputs[`g${i}`];
    if (g && sizeOf(g.shape) !== sizes[i]) {
      throw new Error(`flat AdamW needs p${i} and g${i} of one size, got [${p.shape}] and [${g.shape}]`);
    }
    copies.copy(p, 0, pg, offsets[i], sizes[i]);
    if (g) copies.copy(g, 0, pg, n4 * 4 + offsets[i], sizes[i]);
    else copies.clear(pg, n4 * 4 + offsets[i], sizes[i]);
  });
  copies.clear(pg, total, n4 * 4 - total);
  copies.clear(pg, n4 * 4 + total, n4 * 4 - total);
  const software = isSoftwareAdapter(b);
  const int = (x: number): Uniform => ({ type: "int32", data: [x] });
  const partials = b.runWebGPUProgram(new FlatSumSquaresProgram(n4, software), [pg], "float32", [int(n4)]);
  const uniforms: Uniform[] = [
    int(n4),
    int(offsets[a.decayCount] ?? total),
    int(partials.shape[0]),
    int(a.clip),
    { type: "float32", data: [a.maxNorm] },
    ...CONSTANTS.map((c): Uniform => ({ type: "float32", data: [a[c]] })),
  ];
  const program = new FlatAdamWProgram(n4, software);
  const [flatP, mOut, vOut, norm] = runWithOutputs(b, program, [pg, m, v, partials], [
    [n4 * 4],
    [n4 * 4],
    [n4 * 4],
    [1],
  ], uniforms);
  const out = ps.map((p, i) => {
    const next = b.makeTensorInfo(p.shape, "float32", sizes[i] ? undefined : new Float32Array(0));
    copies.copy(flatP, offsets[i], next, 0, sizes[i]);
    return next;
  });
  for (const t of [pg, partials, flatP]) b.disposeData(t.dataId);
  return [...out, mOut, vOut, { dataId: norm.dataId, shape: [], dtype: "float32" as const }];
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
  { kernelName: FLAT_ADAMW, backendName: "webgpu", kernelFunc: flatAdamWWebGPU },
];
