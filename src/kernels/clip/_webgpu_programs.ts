/**
 * WGSL programs of the fused global-norm clipping on webgpu: sums of squares
 * (one workgroup, chained group to group), the scaling of a group of
 * gradients, and the norm.
 * @module
 */
import { ElementwiseProgram, SOFTWARE_WORKGROUP, type WebGPUProgramLike } from "../fused/mod.ts";

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
