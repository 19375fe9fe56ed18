/**
 * `FlatAdamW`, the optimizer's step on webgpu (per-parameter programs
 * would take a dispatch each, and one program binds at most 8 storage
 * buffers, which tfjs keeps as WebGPU's default limit): the
 * parameters and gradients are copied into one flat array (copy commands,
 * not dispatches), one program sums the squares of the gradients in
 * partial sums, one clips and updates every parameter against flat moments,
 * and the new parameters are copied back out: two dispatches a step.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { isSoftwareAdapter, runWithOutputs, type Uniform, type WebGPUKernelBackend } from "../fused/mod.ts";
import { bufferCopies } from "./_webgpu_copy.ts";
import { FlatAdamWProgram, FlatSumSquaresProgram } from "./_webgpu_programs.ts";
import { FLAT_ADAMW, type FlatAdamWAttrs } from "./kernel.ts";

/** The constants, in the order of {@linkcode FlatAdamWProgram}'s uniforms. */
const CONSTANTS = ["b1", "b1c", "b2", "b2c", "bc2", "eps", "step", "decay"] as const;

function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`flat AdamW kernel called without ${name}`);
  return t;
}

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
  { kernelName: FLAT_ADAMW, backendName: "webgpu", kernelFunc: flatAdamWWebGPU },
];
