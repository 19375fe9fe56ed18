/**
 * The WGSL matmul of the webgpu backend: 64×64 output tiles, 16×16 threads
 * each accumulating a 4×4 block in vec4 registers, 16-deep k tiles staged in
 * workgroup memory. Operands are read in whichever layout they are stored
 * (the transpose flags only change how a tile is loaded, with consecutive
 * threads on consecutive addresses), so backward products with a transposed
 * operand run the same vec4 inner loop as forward ones; tfjs's packed matmul
 * leaves its vec4 path whenever B is transposed.
 * @module
 */
import type { WebGPUProgramLike } from "../fused/mod.ts";

/** Output tile edge (rows and columns) of one workgroup. */
export const MATMUL_TILE = 64;
/** Depth of a k tile. */
const TILE_K = 16;
/** Threads per tile edge: each thread owns 4 rows × 4 columns. */
const THREADS = MATMUL_TILE / 4;

/** Shape of one product: `batch` matrices `[m, k]·[k, n]`; A and B advance by a whole matrix per batch or not. */
export interface MatMulShape {
  batch: number;
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
  /** Whether A (B) has one matrix per batch entry (else one shared matrix). */
  batchedA: boolean;
  batchedB: boolean;
}

/**
 * `result[b] = A[b]·B[b]` (A stored `[k, m]` when `transposeA`, B stored
 * `[n, k]` when `transposeB`). Uniforms: m, n, k.
 *
 * @example
 * ```ts
 * const p = new TiledMatMulProgram({ batch: 1, m: 4096, n: 2048, k: 2048, transposeA: false, transposeB: true, batchedA: false, batchedB: false });
 * p.dispatch; // [32, 64, 1]
 * ```
 */
export class TiledMatMulProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  variableNames = ["A", "B"];
  variableComponents = [1, 1];
  outputComponent: number;
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  uniforms = "m : i32, n : i32, k : i32,";

  constructor(readonly shape: MatMulShape) {
    const { batch, m, n } = shape;
    this.outputShape = [batch, m, n];
    this.outputComponent = n % 4 === 0 ? 4 : 1;
    this.dispatch = [Math.ceil(n / MATMUL_TILE), Math.ceil(m / MATMUL_TILE), batch];
    const flags = [shape.transposeA, shape.transposeB, shape.batchedA, shape.batchedB].map(Number).join("");
    this.shaderKey = `tiled_matmul_${flags}_c${this.outputComponent}`;
  }

  /** WGSL: stage the k tile at k0 of one operand (`A` rows m0…, or `B` columns n0…) into `tile`. */
  #load(operand: "A" | "B"): string {
    const isA = operand === "A";
    const transposed = isA ? this.shape.transposeA : this.shape.transposeB;
    const batched = isA ? this.shape.batchedA : this.shape.batchedB;
    const outer = isA ? "uniforms.m" : "uniforms.n";
    // Stored [outer, k] (A plain, B transposed) is contiguous along k, else along outer: threads follow it.
    const alongK = isA !== transposed;
    const [kk, oo] = alongK ? [`e % ${TILE_K}`, `e / ${TILE_K}`] : [`e / ${MATMUL_TILE}`, `e % ${MATMUL_TILE}`];
    const at = alongK ? `o * uniforms.k + kg` : `kg * ${outer} + o`;
    const base = batched ? `batch * ${outer} * uniforms.k` : "0";
    return `
    for (var r = 0; r < ${(MATMUL_TILE * TILE_K) / (THREADS * THREADS)}; r++) {
      let e = r * ${THREADS * THREADS} + tid;
      let kk = ${kk};
      let oo = ${oo};
      let kg = k0 + kk;
      let o = ${isA ? "m0" : "n0"} + oo;
      var x = 0.0;
      if (kg < uniforms.k && o < ${outer}) {
        x = ${operand}[${base} + ${at}];
      }
      tile${operand}[kk * ${THREADS} + oo / 4][oo % 4] = x;
    }`;
  }

  getUserCode(): string {
    const cells = THREADS * TILE_K;
    const write = this.outputComponent === 4
      ? `
        if (col < uniforms.n) {
          result[(out + col) / 4] = acc[i];
        }`
      : `
        for (var j = 0; j < 4; j++) {
          if (col + j < uniforms.n) {
            result[out + col + j] = acc[i][j];
          }
        }`;
    return `
  var<workgroup> tileA : array<vec4<f32>, ${cells}>;
  var<workgroup> tileB : array<vec4<f32>, ${cells}>;
  fn main(index : i32) {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let tid = ty * ${THREADS} + tx;
    let n0 = i32(workgroupId.x) * ${MATMUL_TILE};
    let m0 = i32(workgroupId.y) * ${MATMUL_TILE};
    let batch = i32(workgroupId.z);
    var acc : array<vec4<f32>, 4>;
    for (var k0 = 0; k0 < uniforms.k; k0 += ${TILE_K}) {${this.#load("A")}${this.#load("B")}
      workgroupBarrier();
      for (var kk = 0; kk < ${TILE_K}; kk++) {
        let a = tileA[kk * ${THREADS} + ty];
        let b = tileB[kk * ${THREADS} + tx];
        acc[0] += a.x * b;
        acc[1] += a.y * b;
        acc[2] += a.z * b;
        acc[3] += a.w * b;
      }
      workgroupBarrier();
    }
    for (var i = 0; i < 4; i++) {
      let row = m0 + ty * 4 + i;
      let col = n0 + tx * 4;
      if (row < uniforms.m) {
        let out = (batch * uniforms.m + row) * uniforms.n;${write}
      }
    }
  }`;
  }
}
