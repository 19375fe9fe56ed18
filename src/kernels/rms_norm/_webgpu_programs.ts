/**
 * WGSL programs of the fused RMSNorm.
 *
 * The residual variant adds the row of h and a first and writes the sum and
 * r beside y; its backward is one row program ({@linkcode RmsNormResidualDxProgram}:
 * the row's Σ dy·w·s, then ds) and dw.
 *
 * The forward pass is one program, one workgroup per row: each thread sums
 * x² over its share of the row, thread 0 adds the workgroup's partials from
 * shared memory (one barrier each side, as the activations' row programs do:
 * barriers are what cost on lavapipe), and every thread then writes its
 * share of y. The backward pass is three programs, because a program has one
 * output: per-row statistics (r = rsqrt(mean(x²) + eps) and r³·Σ dy·w·x / n,
 * the same one-workgroup-per-row reduction), dx element-wise from them, and
 * dw, one workgroup per column summing dy·x·r over the rows
 * ({@linkcode rmsNormDwTerm}).
 * @module
 */
import { type ColumnTerm, ElementwiseProgram, hsum, ROW_INDEX, RowProgram, wgslType } from "../fused/mod.ts";

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
  variableNames: string[];
  uniforms = ROW_UNIFORMS;

  /**
   * `residual`: the row is the sum of inputs h and a, written (sOut) with
   * the row's r (rOut, [rows]) beside y: variables sOut, rOut, h, a, w.
   */
  constructor(rows: number, n: number, software = false, readonly residual = false) {
    super(rows, n, "rowOutput", (c) => residual ? [c, 1, c, c, c] : [c, c], software);
    this.variableNames = residual ? ["sOut", "rOut", "h", "a", "w"] : ["x", "w"];
    this.shaderKey = `fused_rmsnorm_fwd_${residual ? "res_" : ""}${this.key}`;
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
      for (var j = tid; j < nc; j += ${wg}) {${
      this.residual
        ? `
        let v = h[base + j] + a[base + j];
        sOut[base + j] = v;`
        : `
        let v = x[base + j];`
    }
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
      rowScale = inverseSqrt(acc / n + uniforms.eps);${
      this.residual
        ? `
      if (valid) {
        rOut[row] = rowScale;
      }`
        : ""
    }
    }
    workgroupBarrier();
    if (valid) {
      let r = rowScale;
      for (var j = tid; j < nc; j += ${wg}) {
        result[base + j] = ${this.residual ? "sOut" : "x"}[base + j] * r * w[j];
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
 * RMSNorm's dw as a column sum (`ColumnSumProgram` of `../fused/`):
 * Σ over rows of dy·x·r, with variables dy, x, stats (`statsStride` values
 * per row of stats, r first: 2 from the stats program, 1 for the forward's r).
 *
 * @example
 * ```ts
 * rmsNormDwTerm(1).variableNames; // ["dy", "x", "stats"]
 * ```
 */
export function rmsNormDwTerm(statsStride: 1 | 2): ColumnTerm {
  return {
    variableNames: ["dy", "x", "stats"],
    term: `dy[p * uniforms.stride + col] * x[p * uniforms.stride + col] * stats[p * ${statsStride}]`,
    key: `rmsnorm_dw_s${statsStride}`,
  };
}

/**
 * Residual RMSNorm backward, ds: inputs dy, [dsIn,] s, w, r (r from the
 * forward, [rows]); ds = dsIn + r·w·dy − s · r³·Σ dy·w·s / n, one workgroup
 * per row. `dsIn` is the gradient reaching the sum itself (absent when the
 * sum feeds nothing else).
 *
 * @example
 * ```ts
 * new RmsNormResidualDxProgram(2048, 512, true).variableNames; // ["dy", "dsIn", "s", "w", "r"]
 * ```
 */
export class RmsNormResidualDxProgram extends RowProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = "nc : i32, rows : i32,";

  constructor(rows: number, n: number, readonly withDs: boolean, software = false) {
    super(rows, n, "rowOutput", (c) => withDs ? [c, c, c, c, 1] : [c, c, c, 1], software);
    this.variableNames = withDs ? ["dy", "dsIn", "s", "w", "r"] : ["dy", "s", "w", "r"];
    this.shaderKey = `fused_rmsnorm_res_dx_${withDs ? "ds_" : ""}${this.key}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    return `
  var<workgroup> red : array<f32, ${wg}>;
  var<workgroup> rowDot : f32;
  ${ROW_INDEX}
  fn main(index : i32) {
    ${this.head()}
    var d = ${wgslType(this.c)}(0.0);
    if (valid) {
      for (var j = tid; j < nc; j += ${wg}) {
        d += dy[base + j] * w[j] * s[base + j];
      }
    }
    red[tid] = ${hsum(this.c, "d")};
    workgroupBarrier();
    if (tid == 0) {
      var acc = 0.0;
      for (var k = 0; k < ${wg}; k++) {
        acc += red[k];
      }
      rowDot = acc;
    }
    workgroupBarrier();
    if (valid) {
      let ri = r[row];
      let c = rowDot * ri * ri * ri / n;
      for (var j = tid; j < nc; j += ${wg}) {
        result[base + j] = ${this.withDs ? "dsIn[base + j] + " : ""}ri * w[j] * dy[base + j] - s[base + j] * c;
      }
    }
  }`;
  }
}
