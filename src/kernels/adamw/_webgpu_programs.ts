/**
 * WGSL programs of the flat AdamW step on webgpu: every parameter, gradient
 * and moment of a model in one flat vec4 array each, so that clipping and the
 * update take two dispatches whatever the parameter count (a program binds at
 * most 8 storage buffers, WebGPU's default limit, which tfjs keeps).
 *
 * Both programs stride over their arrays with a grid capped by the caller, so
 * a billion parameters need no more than 65535 workgroups on one axis.
 * @module
 */
import type { WebGPUProgramLike } from "../fused/mod.ts";

/** Threads per workgroup on a GPU (a software adapter runs 64: two CPU threads run every workgroup). */
const GPU_WORKGROUP = 256;
const SOFTWARE_WORKGROUP = 64;

/** At most this many partial sums: each workgroup of the update adds them all again. */
export const MAX_PARTIALS = 1024;

/** At most this many workgroups update: enough to fill a large GPU several times over. */
const MAX_UPDATE_GROUPS = 8192;

/** Added to the norm before dividing, as torch's clip_grad_norm_ does. */
const NORM_EPS = 1e-6;

/**
 * Threads per workgroup of the flat programs.
 *
 * @example
 * ```ts
 * flatWorkgroup(false); // 256
 * ```
 */
export function flatWorkgroup(software: boolean): number {
  return software ? SOFTWARE_WORKGROUP : GPU_WORKGROUP;
}

/**
 * Workgroups of a program striding over `n4` vec4s, at most `cap`.
 *
 * @example
 * ```ts
 * flatGroups(1 << 20, 256, 1024); // 1024
 * ```
 */
export function flatGroups(n4: number, workgroup: number, cap: number): number {
  return Math.max(1, Math.min(cap, Math.ceil(n4 / workgroup)));
}

/** A tree sum of `red` (workgroup memory of `wg` floats, a power of two) into red[0]. */
function treeSum(wg: number): string {
  return `
    workgroupBarrier();
    for (var k = ${wg / 2}u; k > 0u; k = k >> 1u) {
      if (tid < k) {
        red[tid] = red[tid] + red[tid + k];
      }
      workgroupBarrier();
    }`;
}

/**
 * Partial sums of squares of the gradients: input `pg` holds the parameters
 * (vec4s [0, n4)) then the gradients ([n4, 2·n4)); each workgroup writes the
 * sum of its strided share to `result[workgroup]`.
 *
 * @example
 * ```ts
 * new FlatSumSquaresProgram(1 << 20, false).dispatch; // [1024, 1, 1]
 * ```
 */
export class FlatSumSquaresProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames = ["pg"];
  variableComponents = [4];
  outputComponent = 1;
  workgroupSize: [number, number, number];
  uniforms = "n4 : i32,";

  constructor(n4: number, software: boolean) {
    const wg = flatWorkgroup(software);
    const groups = flatGroups(n4, wg, MAX_PARTIALS);
    this.workgroupSize = [wg, 1, 1];
    this.dispatch = [groups, 1, 1];
    this.outputShape = [groups];
    this.shaderKey = `flat_adamw_sumsq_wg${wg}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    return `
  var<workgroup> red : array<f32, ${wg}>;
  fn main(index : i32) {
    let tid = localId.x;
    let group = i32(workgroupId.x);
    let n4 = uniforms.n4;
    var acc = vec4<f32>(0.0);
    for (var j = group * ${wg} + i32(tid); j < n4; j += ${wg} * i32(numWorkgroups.x)) {
      let x = pg[n4 + j];
      acc += x * x;
    }
    red[tid] = dot(acc, vec4<f32>(1.0));${treeSum(wg)}
    if (tid == 0u) {
      result[group] = red[0];
    }
  }`;
  }
}

/**
 * Clipping and the AdamW update of every parameter: each workgroup adds the
 * `parts` partial sums (same order in every workgroup, so all see the same
 * norm), scales the gradient by `min(1, maxNorm / (norm + 1e-6))` when
 * `clip` is 1, and writes p' (`result`), m' and v' (extra outputs) in the
 * float32 order of the unfused ops (`adamwUpdate` in math.ts); elements before
 * `decayEnd` decay. Workgroup 0 writes the norm to `normOut`.
 *
 * @example
 * ```ts
 * new FlatAdamWProgram(1 << 20, false).variableNames; // ["mOut", "vOut", "normOut", "pg", "m", "v", "partials"]
 * ```
 */
export class FlatAdamWProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames = ["mOut", "vOut", "normOut", "pg", "m", "v", "partials"];
  variableComponents = [4, 4, 1, 4, 4, 4, 1];
  outputComponent = 4;
  workgroupSize: [number, number, number];
  uniforms = "n4 : i32, decayEnd : i32, parts : i32, clip : i32, maxNorm : f32, " +
    "b1 : f32, b1c : f32, b2 : f32, b2c : f32, bc2 : f32, eps : f32, step : f32, decay : f32,";

  constructor(n4: number, software: boolean) {
    const wg = flatWorkgroup(software);
    this.workgroupSize = [wg, 1, 1];
    this.dispatch = [flatGroups(n4, wg, MAX_UPDATE_GROUPS), 1, 1];
    this.outputShape = [n4 * 4];
    this.shaderKey = `flat_adamw_update_wg${wg}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const u = "uniforms";
    return `
  var<workgroup> red : array<f32, ${wg}>;
  fn main(index : i32) {
    let tid = localId.x;
    var s = 0.0;
    for (var j = i32(tid); j < ${u}.parts; j += ${wg}) {
      s += partials[j];
    }
    red[tid] = s;${treeSum(wg)}
    let norm = sqrt(red[0]);
    var scale = 1.0;
    if (${u}.clip == 1) {
      scale = min(1.0, ${u}.maxNorm / (norm + ${NORM_EPS}));
    }
    let group = i32(workgroupId.x);
    if (group == 0 && tid == 0u) {
      normOut[0] = norm;
    }
    let n4 = ${u}.n4;
    for (var j = group * ${wg} + i32(tid); j < n4; j += ${wg} * i32(numWorkgroups.x)) {
      let g = pg[n4 + j] * scale;
      let mi = m[j] * ${u}.b1 + g * ${u}.b1c;
      let vi = v[j] * ${u}.b2 + (g * g) * ${u}.b2c;
      mOut[j] = mi;
      vOut[j] = vi;
      let at = vec4<i32>(j * 4) + vec4<i32>(0, 1, 2, 3);
      let d = select(vec4<f32>(1.0), vec4<f32>(${u}.decay), at < vec4<i32>(${u}.decayEnd));
      result[j] = pg[j] * d - (mi / (sqrt(vi) / ${u}.bc2 + ${u}.eps)) * ${u}.step;
    }
  }`;
  }
}
