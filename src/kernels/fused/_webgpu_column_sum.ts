/**
 * The last step of a weight gradient on webgpu: partial sums over blocks of
 * rows (or one row each) added up on the GPU, in place of a stock slice,
 * transpose and reduction.
 * @module
 */
import { rowWorkgroupSize } from "./_adapter.ts";
import { ROW_INDEX, rowDispatch, type WebGPUProgramLike } from "./_webgpu_common.ts";

/** What a column sum adds: its variables and the WGSL term of row `p`, column `col`. */
export interface ColumnTerm {
  variableNames: string[];
  /** WGSL expression (may use `p`, `col` and `uniforms.stride`). */
  term: string;
  /** Shader-key part naming the term. */
  key: string;
}

/** The plain sum of a `parts` array. */
const PARTS: ColumnTerm = { variableNames: ["parts"], term: "parts[p * uniforms.stride + col]", key: "parts" };

/**
 * `result[j] = Σp term(p, j)` for the first `cols` columns of `rows` rows
 * (by default `parts[p·stride + j]`), one workgroup per column (its threads
 * stride over the rows, then add their sums). Output [1, cols]; uniforms:
 * stride, rows, cols.
 *
 * @example
 * ```ts
 * new ColumnSumProgram(4).outputShape; // [1, 4]
 * ```
 */
export class ColumnSumProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  variableNames: string[];
  variableComponents: number[];
  outputComponent = 1;
  workgroupSize: [number, number, number];
  uniforms = "stride : i32, rows : i32, cols : i32,";

  constructor(cols: number, software = false, readonly column: ColumnTerm = PARTS) {
    this.outputShape = [1, cols];
    this.dispatch = rowDispatch(cols);
    this.workgroupSize = [rowWorkgroupSize(cols, software), 1, 1];
    this.variableNames = column.variableNames;
    this.variableComponents = column.variableNames.map(() => 1);
    this.shaderKey = `column_sum_${column.key}_wg${this.workgroupSize[0]}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    return `
  var<workgroup> red : array<f32, ${wg}>;
  ${ROW_INDEX}
  fn main(index : i32) {
    let tid = i32(localId.x);
    let col = rowIndex();
    var acc = 0.0;
    if (col < uniforms.cols) {
      for (var p = tid; p < uniforms.rows; p += ${wg}) {
        acc += ${this.column.term};
      }
    }
    red[tid] = acc;
    workgroupBarrier();
    if (tid == 0 && col < uniforms.cols) {
      var s = 0.0;
      for (var k = 0; k < ${wg}; k++) {
        s += red[k];
      }
      result[col] = s;
    }
  }`;
  }
}

/** Uniforms of {@linkcode ColumnSumProgram}: parts `[rows, stride]`, the first `cols` columns summed. */
export function columnSumUniforms(rows: number, stride: number, cols: number): { type: "int32"; data: number[] }[] {
  return [stride, rows, cols].map((x) => ({ type: "int32" as const, data: [x] }));
}
