/**
 * WGSL programs of the fused PolyCom kernels, in the shape tfjs-backend-webgpu's
 * `runWebGPUProgram` expects. The backend adds the bindings (`result`, one
 * array per variable name, `uniforms`) and calls `main(index)`.
 *
 * PolyNorm uses one workgroup per row. One pass over the row accumulates all
 * r sums of x^2i at once (with Σ g·x^i and Σ g in the backward) and max |x|.
 * Only a row whose sums overflow float32 (|x| ≳ 2e4 at r = 4) is redone, by
 * thread 0 alone, with x scaled by max |x| so that no power overflows; that
 * keeps every barrier in uniform control flow. Then the forward writes its
 * outputs; the backward writes per-row statistics and a second program, also
 * one workgroup per row, computes dx from them. Rows are read as vec4 when
 * their length allows.
 *
 * The code is generated unrolled for the order r: one variable per power, no
 * private arrays. Each reduction is one barrier, a serial sum of the
 * workgroup's partials by thread 0, and one barrier: on lavapipe (software
 * Vulkan) dynamically indexed private arrays and barriers are what cost; on a
 * GPU the serial step is at most 64 · (2r + 2) adds per row.
 *
 * On a software adapter a workgroup runs on one CPU thread, its invocations
 * in SIMD lanes, so every invocation beyond the SIMD width adds switching at
 * each barrier and partials to the serial sum: there the reducing programs
 * use `SOFTWARE_WORKGROUP` (`../fused/`) threads.
 * @module
 */

import { hsum, ROW_INDEX, RowProgram, wgslType } from "../fused/mod.ts";

/**
 * Above t = sqrt(eps)/m^i = 1e4, mean(u^2i) ≤ 1 changes sqrt(mean + t²) by
 * less than 5e-9 relative, below float32 resolution; there the closed form
 * 1/d_i = m^i/sqrt(eps) is exact in float32 and cannot overflow.
 */
export const T_CUT_F32 = 1e4;

/**
 * The eps range where a row may first be tried with plain powers (m = 1).
 * Below it, powers flushed under float32's 1e-38 could be a visible part of
 * mean(x^2i) + eps (up to 1e5 elements a row); above it, sqrt(eps) would pass
 * T_CUT_F32 at m = 1, and that closed form assumes scaled rows.
 */
export const EPS_UNSCALED_F32 = [1e-25, 1e7] as const;

/**
 * Uniforms of the PolyNorm row programs: row length in vectors, row count,
 * sqrt(eps), the eps-dominance cut, and whether eps allows plain powers.
 */
const ROW_UNIFORMS = "nc : i32, rows : i32, sqrtEps : f32, mCut : f32, unscaledOk : i32,";

/** WGSL spellings for a component width. */
export function vec(c: 1 | 4) {
  return {
    t: wgslType(c),
    /** Sum of the components. */
    hsum: (v: string) => hsum(c, v),
    /** Max of the components. */
    hmax: (v: string) => (c === 4 ? `max(max(${v}.x, ${v}.y), max(${v}.z, ${v}.w))` : v),
  };
}

/** Lines f(1), ..., f(count), joined. */
export function each(count: number, f: (i: number) => string, sep = "\n"): string {
  return Array.from({ length: count }, (_, k) => f(k + 1)).join(sep);
}

/** [prefix1, ..., prefix{count}]. */
export function names(prefix: string, count: number, from = 1): string[] {
  return Array.from({ length: count }, (_, k) => `${prefix}${k + from}`);
}

/** c[0] + v·(c[1] + v·(c[2] + ...)) as one expression. */
export function horner(v: string, c: string[]): string {
  let acc = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) acc = `${c[i]} + ${v} * (${acc})`;
  return acc;
}

/** Per-order 1/d_i from m^i and the row sum S_i (the scaled closed form; see math.ts). */
const INV_D_FN = `
  fn invD(mi : f32, sum : f32, n : f32) -> f32 {
    if (mi < uniforms.mCut) {
      return mi / uniforms.sqrtEps;
    }
    let t = uniforms.sqrtEps / mi;
    return inverseSqrt(sum / n + t * t);
  }`;

/** False for ±inf and NaN, by the bits, which no fast-math assumption can fold away. */
const FINITE_FN = `
  fn finite(v : f32) -> bool {
    return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
  }`;

/**
 * Row sums of u = x · invm (invm = "" for plain x), unrolled for order r:
 * mx = max |x|, s_i = Σ u^2i, and with dots d_i = Σ g·u^i and gs = Σ g.
 * Threads `first`, `first + step`, ... of the row.
 */
function rowSums(c: 1 | 4, r: number, invm: string, dots: boolean, first: string, step: string): string {
  const t = vec(c).t;
  const zero = `${t}(0.0)`;
  const body = dots
    ? `let g = dy[base + j];
          gs += g;
          let p1 = u;
          ${
      each(r, (i) =>
        `${
          i > 1 ? `let p${i} = p${i - 1} * u;\n          ` : ""
        }d${i} += g * p${i};\n          s${i} += p${i} * p${i};`, "\n          ")
    }`
    : `let u2 = u * u;
          let p1 = u2;
          ${
      each(r, (i) => `${i > 1 ? `let p${i} = p${i - 1} * u2;\n          ` : ""}s${i} += p${i};`, "\n          ")
    }`;
  return `
      var mx = ${zero};
      ${each(r, (i) => `var s${i} = ${zero};`, " ")}
      ${dots ? `${each(r, (i) => `var d${i} = ${zero};`, " ")}\n      var gs = ${zero};` : ""}
      if (valid) {
        for (var j = ${first}; j < nc; j += ${step}) {
          let x0 = x[base + j];
          mx = max(mx, abs(x0));
          let u = x0${invm ? ` * ${invm}` : ""};
          ${body}
        }
      }`;
}

/** Partial slots of the row programs in `red`: 0 max |x|; i: s_i; r + i: d_i; 2r + 1: Σ g. */
function slotWrites(c: 1 | 4, r: number, wg: number, dots: boolean, lane: string): string {
  const v = vec(c);
  const at = (slot: number) => `red[${slot * wg}${lane ? ` + ${lane}` : ""}]`;
  return [
    ...(lane ? [`${at(0)} = ${v.hmax("mx")};`] : []),
    each(r, (i) => `${at(i)} = ${v.hsum(`s${i}`)};`),
    ...(dots ? [each(r, (i) => `${at(r + i)} = ${v.hsum(`d${i}`)};`), `${at(2 * r + 1)} = ${v.hsum("gs")};`] : []),
  ].join("\n      ");
}

/**
 * Every thread's plain-power sums into the partial slots, a barrier, then
 * thread 0 alone: reduces the slots (max for slot 0, sums for the others)
 * into red[slot · wg], and when the sums overflowed (or eps forbids plain
 * powers) redoes the row scaled by m = max |x|. Leaves `m` (1, or max |x|)
 * and `invm` in thread 0's scope, inside an open `if (tid == 0) {`.
 */
function sumsAndScale(c: 1 | 4, r: number, wg: number, dots: boolean): string {
  // Long because it is one WGSL block, read top to bottom as the shader runs it.
  const slots = dots ? 2 * r + 2 : r + 1;
  return `
    {
      ${rowSums(c, r, "", dots, "tid", `${wg}`)}
      ${slotWrites(c, r, wg, dots, "tid")}
    }
    workgroupBarrier();
    if (tid == 0) {
      var mm = 0.0;
      for (var t = 0; t < ${wg}; t++) {
        mm = max(mm, red[t]);
      }
      var ok = uniforms.unscaledOk != 0;
      for (var q = 1; q < ${slots}; q++) {
        var acc = 0.0;
        for (var t = 0; t < ${wg}; t++) {
          acc += red[q * ${wg} + t];
        }
        red[q * ${wg}] = acc;
        ok = ok && finite(acc);
      }
      var m = 1.0;
      if (!ok) {
        m = mm;
        let invmRedo = select(0.0, 1.0 / m, m > 0.0);
        ${rowSums(c, r, "invmRedo", dots, "0", "1")}
        ${slotWrites(c, r, wg, dots, "")}
      }
      let invm = select(0.0, 1.0 / m, m > 0.0);`;
}

/** Shared shape of the PolyNorm row programs: they all take the same uniforms. */
abstract class PolyNormRowProgram extends RowProgram {
  uniforms = ROW_UNIFORMS;
}

/**
 * Forward PolyNorm on [rows, n]: inputs x, a.
 *
 * @example
 * ```ts
 * const program = new PolyNormForwardProgram(2048, 768, 3);
 * program.getUserCode().includes("workgroupBarrier"); // true
 * ```
 */
export class PolyNormForwardProgram extends PolyNormRowProgram {
  shaderKey: string;
  variableNames = ["x", "a"];

  constructor(rows: number, n: number, readonly order: number, software = false) {
    super(rows, n, "rowOutput", (c) => [c, 1], software);
    this.shaderKey = `polynorm_fwd_r${order}_${this.key}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const r = this.order;
    const t = vec(this.c).t;
    return `
  var<workgroup> red : array<f32, ${wg * (r + 1)}>;
  var<workgroup> rowShared : array<f32, ${r + 1}>;
  ${ROW_INDEX}
  ${INV_D_FN}
  ${FINITE_FN}
  fn main(index : i32) {
    ${this.head()}
    ${sumsAndScale(this.c, r, wg, false)}
      rowShared[0] = invm;
      var mi = 1.0;
      ${each(r, (i) => `mi *= m;\n      rowShared[${i}] = a[${i}] * invD(mi, red[${i * wg}], n);`, "\n      ")}
    }
    workgroupBarrier();
    if (valid) {
      let invm = rowShared[0];
      let k0 = a[0];
      ${each(r, (i) => `let k${i} = rowShared[${i}];`, " ")}
      for (var j = tid; j < nc; j += ${wg}) {
        let u = x[base + j] * invm;
        result[base + j] = ${t}(k0) + u * (${horner("u", names("k", r))});
      }
    }
  }`;
  }
}

/**
 * Width of a PolyNorm backward stats row for order r:
 * [Σg, da_1..da_r, back_1..back_r, q_1..q_r, 1/m].
 *
 * @example
 * ```ts
 * polyNormStatsWidth(3); // 11
 * ```
 */
export function polyNormStatsWidth(order: number): number {
  return 3 * order + 2;
}

/**
 * PolyNorm backward, per-row statistics: inputs dy, x, a; output [rows, 3r + 2]
 * whose first r + 1 columns are the row's contribution to da.
 *
 * @example
 * ```ts
 * new PolyNormStatsProgram(2048, 768, 3).outputShape; // [2048, 11]
 * ```
 */
export class PolyNormStatsProgram extends PolyNormRowProgram {
  shaderKey: string;
  variableNames = ["dy", "x", "a"];

  constructor(rows: number, n: number, readonly order: number, software = false) {
    super(rows, n, [rows, polyNormStatsWidth(order)], (c) => [c, c, 1], software);
    this.shaderKey = `polynorm_stats_r${order}_${this.key}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const r = this.order;
    const width = polyNormStatsWidth(r);
    return `
  var<workgroup> red : array<f32, ${wg * (2 * r + 2)}>;
  ${ROW_INDEX}
  ${INV_D_FN}
  ${FINITE_FN}
  fn main(index : i32) {
    ${this.head()}
    ${sumsAndScale(this.c, r, wg, true)}
      if (valid) {
        let out = row * ${width};
        result[out] = red[${(2 * r + 1) * wg}];
        var mPrev = 1.0;
        for (var i = 1; i <= ${r}; i++) {
          let mi = mPrev * m;
          let d = invD(mi, red[i * ${wg}], n);
          let rowDot = red[(${r} + i) * ${wg}];
          // back_i = i·a_i/(m·d_i); where eps dominates it is i·a_i·m^(i-1)/sqrt(eps).
          var back = f32(i) * a[i] * d * invm;
          if (mi < uniforms.mCut) {
            back = f32(i) * a[i] * mPrev / uniforms.sqrtEps;
          }
          result[out + i] = rowDot * d;
          result[out + ${r} + i] = back;
          result[out + ${2 * r} + i] = back * rowDot * d * d / n;
          mPrev = mi;
        }
        result[out + ${3 * r + 1}] = invm;
      }
    }
  }`;
  }
}

/**
 * PolyNorm backward, dx: inputs dy, x, stats; one workgroup per row reads the
 * row's stats once (uniform loads) and writes
 * dx = g · Σ back_i u^(i-1) − u · Σ q_i u^(2i-2).
 *
 * @example
 * ```ts
 * new PolyNormDxProgram(2048, 768, 3).outputShape; // [2048, 768]
 * ```
 */
export class PolyNormDxProgram extends PolyNormRowProgram {
  shaderKey: string;
  variableNames = ["dy", "x", "stats"];

  constructor(rows: number, n: number, readonly order: number, software = false) {
    super(rows, n, "rowOutput", (c) => [c, c, 1], software);
    this.shaderKey = `polynorm_dx_r${order}_${this.key}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const r = this.order;
    const width = polyNormStatsWidth(r);
    return `
  ${ROW_INDEX}
  fn main(index : i32) {
    let tid = i32(localId.x);
    let row = rowIndex();
    if (row < uniforms.rows) {
      let nc = uniforms.nc;
      let base = row * nc;
      let sb = row * ${width};
      let invm = stats[sb + ${3 * r + 1}];
      ${each(r, (i) => `let b${i} = stats[sb + ${r + i}];\n      let q${i} = stats[sb + ${2 * r + i}];`, "\n      ")}
      for (var j = tid; j < nc; j += ${wg}) {
        let u = x[base + j] * invm;
        let u2 = u * u;
        result[base + j] = dy[base + j] * (${horner("u", names("b", r))}) - u * (${horner("u2", names("q", r))});
      }
    }
  }`;
  }
}
