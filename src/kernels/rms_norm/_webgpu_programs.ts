/**
 * WGSL programs of the fused RMSNorm.
 *
 * The forward pass is one program, one workgroup per row: each thread sums
 * x² over its share of the row, thread 0 adds the workgroup's partials from
 * shared memory (one barrier each side, as the activations' row programs do:
 * barriers are what cost on lavapipe), and every thread then writes its
 * share of y. The backward pass is three programs, because a program has one
 * output: per-row statistics (r = rsqrt(mean(x²) + eps) and r³·Σ dy·w·x / n,
 * the same one-workgroup-per-row reduction), dx element-wise from them, and
 * dw as partial column sums over blocks of {@linkcode DW_BLOCK_ROWS} rows
 * that a stock sum finishes.
 * @module
 */
import { ElementwiseProgram, hsum, ROW_INDEX, RowProgram, wgslType } from "../fused/mod.ts";

/** Rows each thread of the dw program sums. */
export const DW_BLOCK_ROWS = 32;

/** Uniforms of the row programs: row length in vectors, row count, eps. */
const ROW_UNIFORMS = "nc : i32, rows : i32, eps : f32,";

/**
 * RMSNorm forward on [rows, n]: inputs x, w.
 *
 * @example
 * ```ts
 * const program = new RmsNormForwardProgram(2048, 512);
 * program.getUserCode().includes("workgroupBarrier"); // true
 * ```
 */
export class RmsNormForwardProgram extends RowProgram {
  shaderKey: string;
  variableNames = ["x", "w"];
  uniforms = ROW_UNIFORMS;

  constructor(rows: number, n: number, software = false) {
    super(rows, n, "rowOutput", (c) => [c, c], software);
    this.shaderKey = `fused_rmsnorm_fwd_${this.key}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    return `
  var<workgroup> red : array<f32, ${wg}>;
  var<workgroup> rowScale : f32;
  ${ROW_INDEX}
  fn main(index : i32) {
    ${this.head()}
    var s = ${wgslType(this.c)}(0.0);
    if (valid) {
      for (var j = tid; j < nc; j += ${wg}) {
        let v = x[base + j];
        s += v * v;
      }
    }
    red[tid] = ${hsum(this.c, "s")};
    workgroupBarrier();
    if (tid == 0) {
      var acc = 0.0;
      for (var k = 0; k < ${wg}; k++) {
        acc += red[k];
      }
      rowScale = inverseSqrt(acc / n + uniforms.eps);
    }
    workgroupBarrier();
    if (valid) {
      let r = rowScale;
      for (var j = tid; j < nc; j += ${wg}) {
        result[base + j] = x[base + j] * r * w[j];
      }
    }
  }`;
  }
}

/**
 * RMSNorm backward, per-row statistics: inputs dy, x, w; output [rows, 2]
 * holding r = rsqrt(mean(x²) + eps) and r³ · Σ dy·w·x / n.
 *
 * @example
 * ```ts
 * new RmsNormStatsProgram(2048, 512).outputShape; // [2048, 2]
 * ```
 */
export class RmsNormStatsProgram extends RowProgram {
  shaderKey: string;
  variableNames = ["dy", "x", "w"];
  uniforms = ROW_UNIFORMS;

  constructor(rows: number, n: number, software = false) {
    super(rows, n, [rows, 2], (c) => [c, c, c], software);
    this.shaderKey = `fused_rmsnorm_stats_${this.key}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const t = wgslType(this.c);
    return `
  var<workgroup> red : array<f32, ${2 * wg}>;
  ${ROW_INDEX}
  fn main(index : i32) {
    ${this.head()}
    var s = ${t}(0.0);
    var d = ${t}(0.0);
    if (valid) {
      for (var j = tid; j < nc; j += ${wg}) {
        let v = x[base + j];
        s += v * v;
        d += dy[base + j] * w[j] * v;
      }
    }
    red[tid] = ${hsum(this.c, "s")};
    red[${wg} + tid] = ${hsum(this.c, "d")};
    workgroupBarrier();
    if (valid && tid == 0) {
      var ss = 0.0;
      var dd = 0.0;
      for (var k = 0; k < ${wg}; k++) {
        ss += red[k];
        dd += red[${wg} + k];
      }
      let r = inverseSqrt(ss / n + uniforms.eps);
      result[row * 2] = r;
      result[row * 2 + 1] = dd * r * r * r / n;
    }
  }`;
  }
}

/**
 * RMSNorm backward, dx: inputs dy, x, w, stats;
 * dx = r·w·dy − x · r³·Σ dy·w·x / n.
 *
 * @example
 * ```ts
 * new RmsNormDxProgram(2048, 512).outputShape; // [2048, 512]
 * ```
 */
export class RmsNormDxProgram extends ElementwiseProgram {
  shaderKey: string;
  variableNames = ["dy", "x", "w", "stats"];
  /** Row length in vectors. */
  uniforms = "nc : i32,";

  constructor(rows: number, n: number) {
    super([rows, n], n, (c) => [c, c, c, 1]);
    this.shaderKey = `fused_rmsnorm_dx_c${this.c}`;
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let row = index / uniforms.nc;
      let col = index - row * uniforms.nc;
      result[index] = stats[row * 2] * w[col] * dy[index] - x[index] * stats[row * 2 + 1];
    }
  }`;
  }
}

/**
 * RMSNorm backward, dw partials: inputs dy, x, stats; output
 * [ceil(rows / DW_BLOCK_ROWS), n], each row one block's Σ dy·x·r.
 *
 * @example
 * ```ts
 * new RmsNormDwPartsProgram(2048, 512).outputShape; // [64, 512]
 * ```
 */
export class RmsNormDwPartsProgram extends ElementwiseProgram {
  shaderKey: string;
  variableNames = ["dy", "x", "stats"];
  /** Row length in vectors, and row count. */
  uniforms = "nc : i32, rows : i32,";

  constructor(rows: number, n: number) {
    super([Math.max(1, Math.ceil(rows / DW_BLOCK_ROWS)), n], n, (c) => [c, c, 1]);
    this.shaderKey = `fused_rmsnorm_dw_c${this.c}`;
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let nc = uniforms.nc;
      let block = index / nc;
      let col = index - block * nc;
      let start = block * ${DW_BLOCK_ROWS};
      let end = min(start + ${DW_BLOCK_ROWS}, uniforms.rows);
      var acc = ${wgslType(this.c)}(0.0);
      for (var row = start; row < end; row++) {
        let i = row * nc + col;
        acc += dy[i] * x[i] * stats[row * 2];
      }
      result[index] = acc;
    }
  }`;
  }
}
