/**
 * The tiled attention backward's first pass: each row's logsumexp and
 * softmax correction, one binding for the dq and dk+dv passes.
 * @module
 */
import type { WebGPUProgramLike } from "../fused/mod.ts";

/** Threads per workgroup of the stats pass. */
const STATS_WORKGROUP = 64;

/**
 * `stats[row] = (lse[row], Σ_c dy[row, c]·out[row, c])` over `rows` rows of
 * `headDim` (a row: one position of one query head), one thread a row.
 *
 * @example
 * ```ts
 * new StatsProgram(16 * 4096, 128).dispatch; // [1024, 1, 1]
 * ```
 */
export class StatsProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames = ["dy", "o", "lse"];
  workgroupSize: [number, number, number] = [STATS_WORKGROUP, 1, 1];
  uniforms = "rows : i32,";

  constructor(rows: number, readonly headDim: number) {
    this.outputShape = [rows, 2];
    this.dispatch = [Math.max(1, Math.ceil(rows / STATS_WORKGROUP)), 1, 1];
    this.shaderKey = `flash_attention_stats_d${headDim}`;
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.rows) {
      var acc = 0.0;
      for (var c = 0; c < ${this.headDim}; c++) {
        acc += dy[index * ${this.headDim} + c] * o[index * ${this.headDim} + c];
      }
      result[2 * index] = lse[index];
      result[2 * index + 1] = acc;
    }
  }`;
  }
}
