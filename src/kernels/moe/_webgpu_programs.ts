/**
 * WGSL programs of the MoE kernels on webgpu: the grouped product over
 * expert-sorted, block-padded rows (one workgroup per 32-row block and
 * 32-column tile; the block's expert picks the weight matrix, so no weight
 * is copied or gathered), its weight gradient (one workgroup per expert and
 * 32×32 tile of W, summing over that expert's blocks in row order, so the
 * sum is deterministic and needs no atomics), and the row selection.
 * @module
 */
import { ElementwiseProgram, type WebGPUProgramLike } from "../fused/mod.ts";
import { MOE_BLOCK_ROWS } from "./math.ts";

/** Tile edge of the grouped programs: a block's rows, a tile's columns and the inner step. */
const TILE = MOE_BLOCK_ROWS;
/** Threads per tile edge; each thread computes (TILE / THREADS)² outputs. */
const THREADS = 8;
const PER = TILE / THREADS;

/** The tile loads and the accumulation both programs share. */
const TILE_DECLS = `
  var<workgroup> tileA : array<array<f32, ${TILE}>, ${TILE}>;
  var<workgroup> tileB : array<array<f32, ${TILE}>, ${TILE}>;
  var<workgroup> wgShared : vec2<i32>;`;

/** Accumulates tileA · tileB into `acc` (thread (tx, ty) owns rows ty + 8i, columns tx + 8j). */
const ACCUMULATE = `
      workgroupBarrier();
      for (var kk = 0; kk < ${TILE}; kk++) {
        for (var i = 0; i < ${PER}; i++) {
          let av = tileA[ty + ${THREADS} * i][kk];
          for (var j = 0; j < ${PER}; j++) {
            acc[i][j] += av * tileB[kk][tx + ${THREADS} * j];
          }
        }
      }
      workgroupBarrier();`;

/** Each thread's loads of a tile: element `slot` of the TILE² tile is (slot / TILE, slot % TILE). */
const LOAD_LOOP = `for (var l = 0; l < ${(TILE * TILE) / (THREADS * THREADS)}; l++) {
        let slot = (ty * ${THREADS} + tx) + l * ${THREADS * THREADS};
        let p = slot / ${TILE};
        let q = slot % ${TILE};`;

abstract class GroupedProgram implements WebGPUProgramLike {
  outputShape: number[];
  abstract shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  abstract variableNames: string[];
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  abstract uniforms: string;

  constructor(outputShape: number[], dispatch: [number, number, number]) {
    this.outputShape = outputShape;
    if (dispatch.some((n) => n > 65535)) throw new Error(`MoE grouped product: dispatch [${dispatch}] too large`);
    this.dispatch = dispatch;
  }

  abstract getUserCode(): string;
}

/**
 * `result [rows, outer] = x · W_e` per 32-row block (`transposeW`: `x · W_eᵀ`,
 * the input gradient of the forward product); a padding block writes zeros.
 *
 * @example
 * ```ts
 * new GroupedMatMulProgram(64, 16, false).dispatch; // [1, 2, 1]
 * ```
 */
export class GroupedMatMulProgram extends GroupedProgram {
  shaderKey: string;
  variableNames = ["x", "w", "blockExpert"];
  uniforms = "inner : i32, outer : i32, experts : i32,";

  constructor(rows: number, outer: number, readonly transposeW: boolean) {
    super([rows, outer], [Math.ceil(outer / TILE), rows / TILE, 1]);
    this.shaderKey = `moe_grouped_matmul_${transposeW ? "t" : "n"}`;
  }

  getUserCode(): string {
    const wAt = this.transposeW ? "wBase + col * inner + k" : "wBase + k * outer + col";
    return `${TILE_DECLS}
  fn main(index : i32) {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let block = i32(workgroupId.y);
    let col0 = i32(workgroupId.x) * ${TILE};
    let row0 = block * ${TILE};
    let inner = uniforms.inner;
    let outer = uniforms.outer;
    if (tx == 0 && ty == 0) {
      wgShared = vec2<i32>(blockExpert[block], 0);
    }
    let e = workgroupUniformLoad(&wgShared).x;
    var acc : array<array<f32, ${PER}>, ${PER}>;
    if (e < uniforms.experts) {
      let wBase = e * inner * outer;
      for (var k0 = 0; k0 < inner; k0 += ${TILE}) {
        ${LOAD_LOOP}
          var a = 0.0;
          if (k0 + q < inner) {
            a = x[(row0 + p) * inner + k0 + q];
          }
          tileA[p][q] = a;
          var b = 0.0;
          let k = k0 + p;
          let col = col0 + q;
          if (k < inner && col < outer) {
            b = w[${wAt}];
          }
          tileB[p][q] = b;
        }
        ${ACCUMULATE}
      }
    }
    for (var i = 0; i < ${PER}; i++) {
      for (var j = 0; j < ${PER}; j++) {
        let col = col0 + tx + ${THREADS} * j;
        if (col < outer) {
          result[(row0 + ty + ${THREADS} * i) * outer + col] = acc[i][j];
        }
      }
    }
  }`;
  }
}

/**
 * `result [E, m, n]`: `Σ a[r]ᵀ · b[r]` over the rows r of each expert's blocks
 * (found by binary search in the non-decreasing `blockExpert`).
 *
 * @example
 * ```ts
 * new GroupedWeightGradProgram(4, 16, 8).dispatch; // [1, 1, 4]
 * ```
 */
export class GroupedWeightGradProgram extends GroupedProgram {
  shaderKey = "moe_grouped_weight_grad";
  variableNames = ["a", "b", "blockExpert"];
  uniforms = "m : i32, n : i32, blocks : i32,";

  constructor(experts: number, m: number, n: number) {
    super([experts, m, n], [Math.ceil(n / TILE), Math.ceil(m / TILE), experts]);
  }

  getUserCode(): string {
    return `${TILE_DECLS}
  // The first block whose expert is at least e.
  fn firstBlock(e : i32) -> i32 {
    var lo = 0;
    var hi = uniforms.blocks;
    while (lo < hi) {
      let mid = (lo + hi) / 2;
      if (blockExpert[mid] < e) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  fn main(index : i32) {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let e = i32(workgroupId.z);
    let m0 = i32(workgroupId.y) * ${TILE};
    let n0 = i32(workgroupId.x) * ${TILE};
    let m = uniforms.m;
    let n = uniforms.n;
    if (tx == 0 && ty == 0) {
      wgShared = vec2<i32>(firstBlock(e), firstBlock(e + 1));
    }
    let range = workgroupUniformLoad(&wgShared);
    var acc : array<array<f32, ${PER}>, ${PER}>;
    for (var r0 = range.x * ${TILE}; r0 < range.y * ${TILE}; r0 += ${TILE}) {
      ${LOAD_LOOP}
        var av = 0.0;
        if (m0 + p < m) {
          av = a[(r0 + q) * m + m0 + p];
        }
        tileA[p][q] = av;
        var bv = 0.0;
        if (n0 + q < n) {
          bv = b[(r0 + p) * n + n0 + q];
        }
        tileB[p][q] = bv;
      }
      ${ACCUMULATE}
    }
    for (var i = 0; i < ${PER}; i++) {
      for (var j = 0; j < ${PER}; j++) {
        let row = m0 + ty + ${THREADS} * i;
        let col = n0 + tx + ${THREADS} * j;
        if (row < m && col < n) {
          result[(e * m + row) * n + col] = acc[i][j];
        }
      }
    }
  }`;
  }
}

/**
 * `result[i] = x[index[i]]` (rows of width `width`, in vectors where the
 * width allows), zeros where the index is out of range.
 *
 * @example
 * ```ts
 * new SelectRowsProgram(96, 16).variableNames; // ["x", "source"]
 * ```
 */
export class SelectRowsProgram extends ElementwiseProgram {
  shaderKey: string;
  variableNames = ["x", "source"];
  uniforms = "width : i32, sourceRows : i32,";

  constructor(rows: number, width: number) {
    super([rows, width], width, (c) => [c, 1]);
    this.shaderKey = `moe_select_rows_c${this.c}`;
  }

  getUserCode(): string {
    const zero = this.c === 4 ? "vec4<f32>(0.0)" : "0.0";
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let vectors = uniforms.width / ${this.c};
      let src = source[index / vectors];
      var v = ${zero};
      if (src >= 0 && src < uniforms.sourceRows) {
        v = x[src * vectors + index % vectors];
      }
      result[index] = v;
    }
  }`;
  }
}
