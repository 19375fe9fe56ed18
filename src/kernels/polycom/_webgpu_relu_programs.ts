/**
 * WGSL programs of the fused PolyReLU kernels (element-wise forward and dx,
 * and the coefficient gradient reduced over blocks of elements), in the shape
 * of `./_webgpu_programs.ts`, whose WGSL helpers they share.
 * @module
 */
import {
  ElementwiseProgram,
  ROW_INDEX,
  rowDispatch,
  SOFTWARE_WORKGROUP,
  vectorWidth,
  type WebGPUProgramLike,
} from "../fused/mod.ts";
import { each, horner, names, vec } from "./_webgpu_programs.ts";

/** Elements each PolyReLU reduction workgroup sums. */
export const RELU_BLOCK = 8192;

/**
 * PolyReLU forward (element-wise): inputs x, a.
 *
 * @example
 * ```ts
 * new PolyReLUForwardProgram([8, 128], 3).outputShape; // [8, 128]
 * ```
 */
export class PolyReLUForwardProgram extends ElementwiseProgram {
  shaderKey: string;
  variableNames = ["x", "a"];

  constructor(shape: [number, number], readonly order: number) {
    super(shape, shape[0] * shape[1], (c) => [c, 1]);
    this.shaderKey = `polyrelu_fwd_r${order}_c${this.c}`;
  }

  getUserCode(): string {
    const r = this.order;
    const t = vec(this.c).t;
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      ${each(r + 1, (i) => `let k${i - 1} = a[${i - 1}];`, " ")}
      let x0 = x[index];
      let v = select(${t}(0.0), x0, x0 > ${t}(0.0));
      result[index] = ${t}(k0) + v * (${horner("v", names("k", r))});
    }
  }`;
  }
}

/**
 * PolyReLU backward, dx (element-wise): inputs dy, x, a; dx = 0 where x ≤ 0.
 *
 * @example
 * ```ts
 * new PolyReLUDxProgram([8, 128], 3).outputShape; // [8, 128]
 * ```
 */
export class PolyReLUDxProgram extends ElementwiseProgram {
  shaderKey: string;
  variableNames = ["dy", "x", "a"];

  constructor(shape: [number, number], readonly order: number) {
    super(shape, shape[0] * shape[1], (c) => [c, c, 1]);
    this.shaderKey = `polyrelu_dx_r${order}_c${this.c}`;
  }

  getUserCode(): string {
    const r = this.order;
    const t = vec(this.c).t;
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      ${each(r, (i) => `let d${i} = ${i}.0 * a[${i}];`, " ")}
      let x0 = x[index];
      let positive = x0 > ${t}(0.0);
      let v = select(${t}(0.0), x0, positive);
      result[index] = select(${t}(0.0), dy[index] * (${horner("v", names("d", r))}), positive);
    }
  }`;
  }
}

/**
 * PolyReLU backward, da partials: inputs dy, x; output [blocks, r + 1] with
 * each block's Σ g and Σ g · relu(x)^i.
 *
 * @example
 * ```ts
 * new PolyReLUDaProgram(20000, 3).outputShape; // [3, 4]
 * ```
 */
export class PolyReLUDaProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  variableNames = ["dy", "x"];
  variableComponents: number[];
  workgroupSize: [number, number, number] = [64, 1, 1];
  /** Total vectors and block count. */
  uniforms = "total : i32, blocks : i32,";
  private c: 1 | 4;

  constructor(size: number, readonly order: number, software = false) {
    this.c = vectorWidth(size);
    this.workgroupSize = [software ? SOFTWARE_WORKGROUP : 64, 1, 1];
    const blocks = Math.max(1, Math.ceil(size / RELU_BLOCK));
    this.outputShape = [blocks, order + 1];
    this.variableComponents = [this.c, this.c];
    this.dispatch = rowDispatch(blocks);
    this.shaderKey = `polyrelu_da_r${order}_c${this.c}_wg${this.workgroupSize[0]}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const r = this.order;
    const v = vec(this.c);
    const blockUnits = RELU_BLOCK / this.c;
    return `
  var<workgroup> red : array<f32, ${wg * (r + 1)}>;
  ${ROW_INDEX}
  fn main(index : i32) {
    let tid = i32(localId.x);
    let block = rowIndex();
    let valid = block < uniforms.blocks;
    let start = block * ${blockUnits};
    let end = min(start + ${blockUnits}, uniforms.total);
    ${each(r + 1, (i) => `var c${i - 1} = ${v.t}(0.0);`, " ")}
    if (valid) {
      for (var j = start + tid; j < end; j += ${wg}) {
        let g = dy[j];
        let v = max(x[j], ${v.t}(0.0));
        let p0 = g;
        c0 += p0;
        ${each(r, (i) => `let p${i} = p${i - 1} * v;\n        c${i} += p${i};`, "\n        ")}
      }
    }
    ${each(r + 1, (i) => `red[${(i - 1) * wg} + tid] = ${v.hsum(`c${i - 1}`)};`, "\n    ")}
    workgroupBarrier();
    if (valid && tid == 0) {
      for (var q = 0; q < ${r + 1}; q++) {
        var acc = 0.0;
        for (var t = 0; t < ${wg}; t++) {
          acc += red[q * ${wg} + t];
        }
        result[block * ${r + 1} + q] = acc;
      }
    }
  }`;
  }
}
