/**
 * Shared pieces of the fused kernels' WGSL programs, in the shape
 * tfjs-backend-webgpu's `runWebGPUProgram` expects: the backend adds the
 * bindings (`result`, one array per variable name, `uniforms`) and calls
 * `main(index)`. Row programs run one workgroup per row; element-wise ones
 * one thread per output vector. Rows are read as vec4 when their length allows.
 * @module
 */
import { rowWorkgroupSize } from "./_adapter.ts";

/** What `runWebGPUProgram` reads from a program (a structural view of tfjs's WebGPUProgram). */
export interface WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  variableComponents?: number[];
  outputComponent?: number;
  workgroupSize: [number, number, number];
  uniforms?: string;
  size?: boolean;
  getUserCode(): string;
}

/** Threads per workgroup of the element-wise programs. */
const ELEMENTWISE_WORKGROUP = 64;

/**
 * Dispatch of one workgroup per row (at least one, which then has no row).
 *
 * @example
 * ```ts
 * rowDispatch(2048); // [2048, 1, 1]
 * ```
 */
export function rowDispatch(rows: number): [number, number, number] {
  return [Math.max(rows, 1), 1, 1];
}

/**
 * Components per load: 4 (vec4) when every row starts on a multiple of 4 elements.
 *
 * @example
 * ```ts
 * vectorWidth(512); // 4
 * vectorWidth(10); // 1
 * ```
 */
export function vectorWidth(n: number): 1 | 4 {
  return n % 4 === 0 ? 4 : 1;
}

/**
 * The WGSL type of a load of c components.
 *
 * @example
 * ```ts
 * wgslType(4); // "vec4<f32>"
 * ```
 */
export function wgslType(c: 1 | 4): string {
  return c === 4 ? "vec4<f32>" : "f32";
}

/**
 * WGSL for the sum of a load's components.
 *
 * @example
 * ```ts
 * hsum(4, "s"); // "dot(s, vec4<f32>(1.0))"
 * ```
 */
export function hsum(c: 1 | 4, v: string): string {
  return c === 4 ? `dot(${v}, vec4<f32>(1.0))` : v;
}

/** The row of this workgroup: the backend spreads more than 65535 workgroups over y and z. */
export const ROW_INDEX = `
  fn rowIndex() -> i32 {
    return i32(workgroupId.x + workgroupId.y * numWorkgroups.x + workgroupId.z * numWorkgroups.x * numWorkgroups.y);
  }`;

/**
 * Shared shape of the one-workgroup-per-row programs over [rows, n] inputs.
 *
 * @example
 * ```ts
 * class RowCopy extends RowProgram {
 *   shaderKey = "row_copy";
 *   variableNames = ["x"];
 *   uniforms = "nc : i32, rows : i32,";
 *   constructor(rows: number, n: number) {
 *     super(rows, n, "rowOutput", (c) => [c], false);
 *   }
 *   getUserCode(): string {
 *     return `${ROW_INDEX} fn main(index : i32) { ${this.head()} }`;
 *   }
 * }
 * ```
 */
export abstract class RowProgram implements WebGPUProgramLike {
  outputShape: number[];
  abstract shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  abstract variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  workgroupSize: [number, number, number];
  abstract uniforms: string;
  protected c: 1 | 4;

  /**
   * `rowOutput`: the output is [rows, n], written in c-vectors; otherwise it
   * is `outputShape`, written in scalars. `components` gives each input's load width.
   */
  constructor(
    rows: number,
    n: number,
    outputShape: number[] | "rowOutput",
    components: (c: 1 | 4) => number[],
    software: boolean,
  ) {
    this.c = vectorWidth(n);
    this.outputShape = outputShape === "rowOutput" ? [rows, n] : outputShape;
    this.variableComponents = components(this.c);
    this.outputComponent = outputShape === "rowOutput" ? this.c : 1;
    this.workgroupSize = [rowWorkgroupSize(n / this.c, software), 1, 1];
    this.dispatch = rowDispatch(rows);
  }

  /** Shader-key suffix: load width and workgroup size. */
  protected get key(): string {
    return `c${this.c}_wg${this.workgroupSize[0]}`;
  }

  /** Opening of main: which row, and whether this workgroup has one (needs uniform `nc` and `rows`). */
  protected head(): string {
    return `
    let tid = i32(localId.x);
    let row = rowIndex();
    let nc = uniforms.nc;
    let n = f32(nc * ${this.c});
    let valid = row < uniforms.rows;
    let base = row * nc;`;
  }

  abstract getUserCode(): string;
}

/**
 * Shared shape of the element-wise programs (one thread per output vector;
 * `uniforms.size` is the output size in vectors).
 *
 * @example
 * ```ts
 * class Double extends ElementwiseProgram {
 *   shaderKey = "double";
 *   variableNames = ["x"];
 *   uniforms = "";
 *   constructor(shape: [number, number]) {
 *     super(shape, shape[1], (c) => [c]);
 *   }
 *   getUserCode(): string {
 *     return `fn main(index : i32) { if (index < uniforms.size) { result[index] = 2.0 * x[index]; } }`;
 *   }
 * }
 * ```
 */
export abstract class ElementwiseProgram implements WebGPUProgramLike {
  outputShape: number[];
  abstract shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  abstract variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  workgroupSize: [number, number, number] = [ELEMENTWISE_WORKGROUP, 1, 1];
  size = true;
  protected c: 1 | 4;

  constructor(outputShape: [number, number], n: number, components: (c: 1 | 4) => number[]) {
    this.c = vectorWidth(n);
    this.outputShape = outputShape;
    this.variableComponents = components(this.c);
    this.outputComponent = this.c;
    const vectors = (outputShape[0] * outputShape[1]) / this.c;
    this.dispatch = [Math.max(1, Math.ceil(vectors / ELEMENTWISE_WORKGROUP)), 1, 1];
  }

  abstract getUserCode(): string;
}
