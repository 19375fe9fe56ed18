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

/** Where one operand's tile reads (see {@linkcode loadTile}). */
export interface TileLoad {
  /** The workgroup array the tile goes to (`tileA` or `tileB`). */
  tile: string;
  /** Whether the operand is stored with k contiguous (`[outer, k]`), else outer contiguous (`[k, outer]`). */
  alongK: boolean;
  /** WGSL expressions of the operand's outer extent and depth. */
  outer: string;
  k: string;
  /** WGSL variable holding the tile's first outer index (`m0` or `n0`). */
  origin: string;
  /** WGSL statement(s) setting `x` from the element at offset `at` (an expression) of the operand. */
  read: (at: string) => string;
}

/**
 * WGSL: stage the k tile at `k0` of one operand into its workgroup array,
 * consecutive threads on consecutive addresses of the stored layout; zero
 * past the edges. Shared by every tiled product here.
 *
 * @example
 * ```ts
 * loadTile({ tile: "tileA", alongK: true, outer: "uniforms.m", k: "uniforms.k", origin: "m0", read: (at) => `x = A[${at}];` });
 * ```
 */
export function loadTile(t: TileLoad): string {
  const [kk, oo] = t.alongK ? [`e % ${TILE_K}`, `e / ${TILE_K}`] : [`e / ${MATMUL_TILE}`, `e % ${MATMUL_TILE}`];
  const at = t.alongK ? `o * ${t.k} + kg` : `kg * ${t.outer} + o`;
  return `
    for (var r = 0; r < ${(MATMUL_TILE * TILE_K) / (THREADS * THREADS)}; r++) {
      let e = r * ${THREADS * THREADS} + tid;
      let kk = ${kk};
      let oo = ${oo};
      let kg = k0 + kk;
      let o = ${t.origin} + oo;
      var x = 0.0;
      if (kg < ${t.k} && o < ${t.outer}) {
        ${t.read(at)}
      }
      ${t.tile}[kk * ${THREADS} + oo / 4][oo % 4] = x;
    }`;
}

/** WGSL: the two staged tiles, declared at module scope. */
export const TILES = `
  var<workgroup> tileA : array<vec4<f32>, ${THREADS * TILE_K}>;
  var<workgroup> tileB : array<vec4<f32>, ${THREADS * TILE_K}>;`;

/** WGSL: the thread's column and row in the tile (`tx`, `ty`) and its index `tid`. */
export const THREAD_IDS = `
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let tid = ty * ${THREADS} + tx;`;

/** WGSL: after the loads, multiply the staged tiles into `acc` (each thread's 4×4 block), between barriers. */
export const MULTIPLY_TILES = `
      workgroupBarrier();
      for (var kk = 0; kk < ${TILE_K}; kk++) {
        let a = tileA[kk * ${THREADS} + ty];
        let b = tileB[kk * ${THREADS} + tx];
        acc[0] += a.x * b;
        acc[1] += a.y * b;
        acc[2] += a.z * b;
        acc[3] += a.w * b;
      }
      workgroupBarrier();`;

/** Where a thread's 4×4 block of `acc` goes (see {@linkcode storeBlock}). */
export interface BlockStore {
  /** WGSL expressions of the output's rows and columns. */
  m: string;
  n: string;
  /** WGSL expression of the row the output matrix starts at (a batch's). */
  firstRow: string;
  /** Whether the output is stored as vec4 (n a multiple of 4). */
  vec4: boolean;
  /** WGSL statement storing `value` at index `at` of the output. */
  store: (at: string, value: string) => string;
}

/**
 * WGSL: store each thread's 4×4 block `acc` of the tile at (`m0`, `n0`), skipping what lies past the edges.
 *
 * @example
 * ```ts
 * storeBlock({ m: "uniforms.m", n: "uniforms.n", firstRow: "0", vec4: true, store: (at, v) => `result[${at}] = ${v};` });
 * ```
 */
export function storeBlock(o: BlockStore): string {
  const body = o.vec4
    ? `
        if (col < ${o.n}) {
          ${o.store("(out + col) / 4", "acc[i]")}
        }`
    : `
        for (var j = 0; j < 4; j++) {
          if (col + j < ${o.n}) {
            ${o.store("out + col + j", "acc[i][j]")}
          }
        }`;
  return `
    for (var i = 0; i < 4; i++) {
      let row = m0 + ty * 4 + i;
      let col = n0 + tx * 4;
      if (row < ${o.m}) {
        let out = (${o.firstRow} + row) * ${o.n};${body}
      }
    }`;
}

/** Depth of a k tile. */
export const MATMUL_TILE_K = TILE_K;

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
    const base = batched ? `batch * ${outer} * uniforms.k + ` : "";
    return loadTile({
      tile: `tile${operand}`,
      alongK: isA !== transposed,
      outer,
      k: "uniforms.k",
      origin: isA ? "m0" : "n0",
      read: (at) => `x = ${operand}[${base}${at}];`,
    });
  }

  getUserCode(): string {
    return `
${TILES}
  fn main(index : i32) {${THREAD_IDS}
    let n0 = i32(workgroupId.x) * ${MATMUL_TILE};
    let m0 = i32(workgroupId.y) * ${MATMUL_TILE};
    let batch = i32(workgroupId.z);
    var acc : array<vec4<f32>, 4>;
    for (var k0 = 0; k0 < uniforms.k; k0 += ${TILE_K}) {${this.#load("A")}${this.#load("B")}
${MULTIPLY_TILES}
    }
${
      storeBlock({
        m: "uniforms.m",
        n: "uniforms.n",
        firstRow: "batch * uniforms.m",
        vec4: this.outputComponent === 4,
        store: (at, value) => `result[${at}] = ${value};`,
      })
    }
  }`;
  }
}
