/**
 * `FusedClipByGlobalNorm` on `webgpu`: the sum of squares of up to
 * {@linkcode SUM_GROUP} gradients per program (one workgroup, adding the
 * previous group's sum), then element-wise programs that scale up to
 * {@linkcode SCALE_GROUP} gradients each by `min(1, maxNorm / (sqrt(sum) +
 * 1e-6))` (extra outputs, see `runWithOutputs`), and one that writes the
 * norm: about N/6 + N/3 + 1 dispatches for N gradients, where the stock ops
 * take a square, a sum and a multiply per gradient and a stack.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import {
  ElementwiseProgram,
  fusedInputs,
  isSoftwareAdapter,
  runWithOutputs,
  SOFTWARE_WORKGROUP,
  type Uniform,
  type WebGPUKernelBackend,
  type WebGPUProgramLike,
} from "../fused/mod.ts";
import { type ClipAttrs, FUSED_CLIP_BY_GLOBAL_NORM } from "./kernel.ts";

/**
 * Gradients one sum-of-squares program reads: a program binds at most 8
 * storage buffers (WebGPU's default limit, which tfjs keeps), the output and
 * the previous sum take two.
 */
export const SUM_GROUP = 6;

/**
 * Gradients one scaling program writes: the 8 storage buffers hold 3
 * outputs, 3 inputs and the sum.
 */
export const SCALE_GROUP = 3;

/** Threads per workgroup of the scaling programs. */
const SCALE_WORKGROUP = 64;

/** Threads of the one workgroup of a sum on a GPU. */
const GPU_SUM_WORKGROUP = 256;

/** Added to the norm before dividing, as torch's clip_grad_norm_ does. */
const NORM_EPS = 1e-6;

/**
 * Σ x² over `count` gradients (inputs g0…, sizes in uniforms n0…), plus
 * input `acc` (a previous group's sum) when `chained`; output [1].
 *
 * @example
 * ```ts
 * new SumSquaresProgram(6, true).variableNames; // ["g0", …, "g5", "acc"]
 * ```
 */
export class SumSquaresProgram implements WebGPUProgramLike {
  outputShape = [1];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number] = [1, 1, 1];
  variableNames: string[];
  workgroupSize: [number, number, number];
  uniforms: string;

  constructor(readonly count: number, readonly chained: boolean, software = false) {
    const names = Array.from({ length: count }, (_, i) => `g${i}`);
    this.variableNames = chained ? [...names, "acc"] : names;
    this.uniforms = names.map((_, i) => `n${i} : i32,`).join(" ");
    this.workgroupSize = [software ? SOFTWARE_WORKGROUP : GPU_SUM_WORKGROUP, 1, 1];
    this.shaderKey = `fused_clip_sumsq_${count}_${chained ? "acc" : "first"}_wg${this.workgroupSize[0]}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const loops = Array.from({ length: this.count }, (_, i) => `
    for (var j = tid; j < uniforms.n${i}; j += ${wg}) {
      let x = g${i}[j];
      s += x * x;
    }`).join("");
    return `
  var<workgroup> red : array<f32, ${wg}>;
  fn main(index : i32) {
    let tid = i32(localId.x);
    var s = 0.0;${loops}
    red[tid] = s;
    workgroupBarrier();
    if (tid == 0) {
      var total = ${this.chained ? "acc[0]" : "0.0"};
      for (var k = 0; k < ${wg}; k++) {
        total += red[k];
      }
      result[0] = total;
    }
  }`;
  }
}

/**
 * Up to {@linkcode SCALE_GROUP} gradients clipped in one dispatch: inputs
 * g0…, sum (the [1] sum of squares of all); writes `gi · min(1, maxNorm /
 * (sqrt(sum) + 1e-6))` to `result` (g0) and the extra outputs o1….
 * Uniforms: each gradient's length in loads (n0…), the longest, maxNorm.
 *
 * @example
 * ```ts
 * new ClipScaleProgram(3, 4).variableNames; // ["o1", "o2", "g0", "g1", "g2", "sum"]
 * ```
 */
export class ClipScaleProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  workgroupSize: [number, number, number] = [SCALE_WORKGROUP, 1, 1];
  uniforms: string;

  /** `longest`: the most loads of one gradient; `c`: the load width (every length a multiple of it). */
  constructor(readonly count: number, readonly c: 1 | 4, longest = 1) {
    const extra = Array.from({ length: count - 1 }, (_, i) => `o${i + 1}`);
    const grads = Array.from({ length: count }, (_, i) => `g${i}`);
    this.variableNames = [...extra, ...grads, "sum"];
    this.variableComponents = [...extra.map(() => c), ...grads.map(() => c), 1];
    this.outputComponent = c;
    this.outputShape = [longest * c];
    this.dispatch = [Math.max(1, Math.ceil(longest / SCALE_WORKGROUP)), 1, 1];
    this.uniforms = `${grads.map((_, i) => `n${i} : i32,`).join(" ")} longest : i32, maxNorm : f32,`;
    this.shaderKey = `fused_clip_scale_${count}_c${c}`;
  }

  getUserCode(): string {
    const writes = Array.from({ length: this.count }, (_, i) => `
      if (index < uniforms.n${i}) {
        ${i === 0 ? "result" : `o${i}`}[index] = g${i}[index] * scale;
      }`).join("");
    return `
  fn main(index : i32) {
    if (index < uniforms.longest) {
      let scale = min(1.0, uniforms.maxNorm / (sqrt(sum[0]) + ${NORM_EPS}));${writes}
    }
  }`;
  }
}

/**
 * The norm: sqrt of input sum ([1]).
 *
 * @example
 * ```ts
 * new NormProgram().outputShape; // [1, 1]
 * ```
 */
export class NormProgram extends ElementwiseProgram {
  shaderKey = "fused_clip_norm";
  variableNames = ["sum"];

  constructor() {
    super([1, 1], 1, () => [1]);
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      result[index] = sqrt(sum[index]);
    }
  }`;
  }
}

const { kernelInputs } = fusedInputs("fused clipping");

const clipWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUKernelBackend;
  const { count, maxNorm } = attrs as ClipAttrs;
  const names = Array.from({ length: count }, (_, i) => `g${i}`);
  const found = kernelInputs(inputs, ...names);
  const grads = names.map((n) => found[n]);
  const sizes = grads.map((g) => g.shape.reduce((x, y) => x * y, 1));
  const software = isSoftwareAdapter(b);
  // Empty gradients add nothing (and have no buffer to bind).
  const summed = grads.map((g, i) => ({ g, n: sizes[i], index: i })).filter((e) => e.n > 0);
  let sum: tf.TensorInfo | null = null;
  for (let start = 0; start < summed.length; start += SUM_GROUP) {
    const group = summed.slice(start, start + SUM_GROUP);
    const program = new SumSquaresProgram(group.length, sum !== null, software);
    const uniforms: Uniform[] = group.map((e) => ({ type: "int32", data: [e.n] }));
    const ins = group.map((e) => e.g);
    const next: tf.TensorInfo = b.runWebGPUProgram(program, sum ? [...ins, sum] : ins, "float32", uniforms);
    if (sum) b.disposeData(sum.dataId);
    sum = next;
  }
  const total = sum ?? b.makeTensorInfo([1], "float32", Float32Array.of(0));
  const clipped: (tf.TensorInfo | undefined)[] = grads.map(() => undefined);
  for (let start = 0; start < summed.length; start += SCALE_GROUP) {
    const group = summed.slice(start, start + SCALE_GROUP);
    const c = group.every((e) => e.n % 4 === 0) ? 4 : 1;
    const longest = Math.max(...group.map((e) => e.n / c));
    const uniforms: Uniform[] = [
      ...group.map((e) => ({ type: "int32" as const, data: [e.n / c] })),
      { type: "int32", data: [longest] },
      { type: "float32", data: [maxNorm] },
    ];
    const program = new ClipScaleProgram(group.length, c, longest);
    const outs = runWithOutputs(b, program, [...group.map((e) => e.g), total], group.map((e) => e.g.shape), uniforms);
    group.forEach((e, j) => clipped[e.index] = outs[j]);
  }
  const norm = b.runWebGPUProgram(new NormProgram(), [total], "float32");
  b.disposeData(total.dataId);
  const empty = (g: tf.TensorInfo) => b.makeTensorInfo(g.shape, "float32", new Float32Array(0));
  return [...clipped.map((t, i) => t ?? empty(grads[i])), {
    dataId: norm.dataId,
    shape: [],
    dtype: "float32" as const,
  }];
};

/**
 * The webgpu kernel config, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * for (const config of CLIP_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const CLIP_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_CLIP_BY_GLOBAL_NORM, backendName: "webgpu", kernelFunc: clipWebGPU },
];
