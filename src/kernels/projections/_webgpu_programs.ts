/**
 * WGSL programs of the grouped projections: several products with one
 * shared operand in one dispatch, on the tiles of the webgpu matmul
 * (`../matmul/`, 64×64 output tiles, vec4 inner loop). Forward `Yi = X·Wi`
 * and the weight gradients `dWi = Xᵀ·dYi` are {@linkcode SharedInputMatMulProgram}
 * (workgroups along x walk the outputs' column tiles one output after the
 * other); the input gradient `dX = Σ dYi·Wiᵀ` is {@linkcode SummedMatMulProgram}
 * (one output, k running over every product in turn).
 * @module
 */
import type { WebGPUProgramLike } from "../fused/mod.ts";
import { loadTile, MATMUL_TILE, MATMUL_TILE_K, MULTIPLY_TILES, storeBlock, THREAD_IDS, TILES } from "../matmul/mod.ts";

const THREADS = MATMUL_TILE / 4;
const tiles = (n: number) => Math.ceil(n / MATMUL_TILE);
const range = (g: number) => Array.from({ length: g }, (_, i) => i);

/** WGSL: `if (g == 0) { s(0) } else if (g == 1) { s(1) } ...` over `g` outputs. */
function perOutput(g: number, statement: (i: number) => string): string {
  return range(g).map((i) => `if (g == ${i}) { ${statement(i)} }`).join(" else ");
}

/**
 * `Yi = A·Bi` for i < g with one shared A (`[m, k]`, stored `[k, m]` when
 * `transposeA`) and each `Bi` stored `[k, ni]`: outputs `[m, ni]`, the first
 * as `result`, the others as writable variables `O1…` (see
 * `runWithOutputs`). Variables: O1…O(g−1), A, B0…B(g−1); uniforms: m, k,
 * then the widths w0…w(g−1).
 *
 * @example
 * ```ts
 * new SharedInputMatMulProgram(4096, 2048, [2048, 512, 512], false).dispatch; // [48, 64, 1]
 * ```
 */
export class SharedInputMatMulProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  uniforms: string;

  constructor(m: number, readonly k: number, readonly widths: readonly number[], readonly transposeA: boolean) {
    const g = widths.length;
    this.outputShape = [m, widths[0]];
    this.outputComponent = widths.every((n) => n % 4 === 0) ? 4 : 1;
    this.dispatch = [widths.reduce((s, n) => s + tiles(n), 0), tiles(m), 1];
    const outs = range(g).slice(1).map((i) => `O${i}`);
    this.variableNames = [...outs, "A", ...range(g).map((i) => `B${i}`)];
    this.variableComponents = [...outs.map(() => this.outputComponent), 1, ...range(g).map(() => 1)];
    this.uniforms = `m : i32, k : i32, ${range(g).map((i) => `w${i} : i32,`).join(" ")}`;
    this.shaderKey = `shared_input_matmul_${g}_${Number(transposeA)}_c${this.outputComponent}`;
  }

  getUserCode(): string {
    const g = this.widths.length;
    // Workgroup x picks the output (g) and its column tile: the outputs' tiles one after the other.
    const pick = range(g).slice(1).map((i) => `
    if (g == ${i - 1} && tile >= (ng + ${MATMUL_TILE - 1}) / ${MATMUL_TILE}) {
      tile -= (ng + ${MATMUL_TILE - 1}) / ${MATMUL_TILE};
      g = ${i};
      ng = uniforms.w${i};
    }`).join("");
    const a = loadTile({
      tile: "tileA",
      alongK: !this.transposeA,
      outer: "uniforms.m",
      k: "uniforms.k",
      origin: "m0",
      read: (at) => `x = A[${at}];`,
    });
    const b = loadTile({
      tile: "tileB",
      alongK: false,
      outer: "ng",
      k: "uniforms.k",
      origin: "n0",
      read: (at) => perOutput(g, (i) => `x = B${i}[${at}];`),
    });
    const store = storeBlock({
      m: "uniforms.m",
      n: "ng",
      firstRow: "0",
      vec4: this.outputComponent === 4,
      store: (at, value) => perOutput(g, (i) => `${i === 0 ? "result" : `O${i}`}[${at}] = ${value};`),
    });
    return `
${TILES}
  fn main(index : i32) {${THREAD_IDS}
    var tile = i32(workgroupId.x);
    var g = 0;
    var ng = uniforms.w0;${pick}
    let n0 = tile * ${MATMUL_TILE};
    let m0 = i32(workgroupId.y) * ${MATMUL_TILE};
    var acc : array<vec4<f32>, 4>;
    for (var k0 = 0; k0 < uniforms.k; k0 += ${MATMUL_TILE_K}) {${a}${b}
${MULTIPLY_TILES}
    }${store}
  }`;
  }
}

/**
 * `Y = Σi Ai·Biᵀ` for i < g, each `Ai` stored `[m, ki]` and `Bi` stored
 * `[n, ki]`: the input gradient of grouped projections (`dX = Σ dYi·Wiᵀ`,
 * `Wi` stored `[n, ki]`) as one product of depth Σ ki. Variables:
 * A0…A(g−1), B0…B(g−1); uniforms: m, n, then the depths k0…k(g−1).
 *
 * @example
 * ```ts
 * new SummedMatMulProgram(4096, 2048, 3).dispatch; // [32, 64, 1]
 * ```
 */
export class SummedMatMulProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  uniforms: string;

  constructor(m: number, n: number, readonly g: number) {
    this.outputShape = [m, n];
    this.outputComponent = n % 4 === 0 ? 4 : 1;
    this.dispatch = [tiles(n), tiles(m), 1];
    this.variableNames = [...range(g).map((i) => `A${i}`), ...range(g).map((i) => `B${i}`)];
    this.variableComponents = this.variableNames.map(() => 1);
    this.uniforms = `m : i32, n : i32, ${range(g).map((i) => `k${i} : i32,`).join(" ")}`;
    this.shaderKey = `summed_matmul_${g}_c${this.outputComponent}`;
  }

  getUserCode(): string {
    const products = range(this.g).map((i) => {
      const load = (operand: "A" | "B") =>
        loadTile({
          tile: `tile${operand}`,
          alongK: true,
          outer: operand === "A" ? "uniforms.m" : "uniforms.n",
          k: `uniforms.k${i}`,
          origin: operand === "A" ? "m0" : "n0",
          read: (at) => `x = ${operand}${i}[${at}];`,
        });
      return `
    for (var k0 = 0; k0 < uniforms.k${i}; k0 += ${MATMUL_TILE_K}) {${load("A")}${load("B")}
${MULTIPLY_TILES}
    }`;
    }).join("");
    const store = storeBlock({
      m: "uniforms.m",
      n: "uniforms.n",
      firstRow: "0",
      vec4: this.outputComponent === 4,
      store: (at, value) => `result[${at}] = ${value};`,
    });
    return `
${TILES}
  fn main(index : i32) {${THREAD_IDS}
    let n0 = i32(workgroupId.x) * ${MATMUL_TILE};
    let m0 = i32(workgroupId.y) * ${MATMUL_TILE};
    var acc : array<vec4<f32>, 4>;${products}${store}
  }`;
  }
}

/**
 * The whole backward of grouped projections in one dispatch: `dX = Σ dYi·Wiᵀ`
 * (`result`, [m, d]) and every `dWi = Xᵀ·dYi` (writable `O0…`, [d, ni]).
 * Workgroups along x walk the output tiles of dX, then of each dWi; each
 * runs its own product's k steps (dX: every segment's tiles in turn; dWi:
 * the rows'). Binds 3g + 2 storage buffers, so g ≤ 2 fits
 * WebGPU's guaranteed 8. Variables: O0…, X, dY0…, W0…; uniforms: m, d,
 * then the widths w0….
 *
 * @example
 * ```ts
 * new ProjectionsGradProgram(4096, 2048, [2048]).dispatch; // [3072, 1, 1]
 * ```
 */
export class ProjectionsGradProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  uniforms: string;

  constructor(m: number, d: number, readonly widths: readonly number[]) {
    const g = widths.length;
    this.outputShape = [m, d];
    this.outputComponent = [d, ...widths].every((n) => n % 4 === 0) ? 4 : 1;
    const total = tiles(m) * tiles(d) + widths.reduce((s, n) => s + tiles(d) * tiles(n), 0);
    this.dispatch = [total, 1, 1];
    const names = (prefix: string) => range(g).map((i) => `${prefix}${i}`);
    this.variableNames = [...names("O"), "X", ...names("dY"), ...names("W")];
    this.variableComponents = [...names("O").map(() => this.outputComponent), ...range(2 * g + 1).map(() => 1)];
    this.uniforms = `m : i32, d : i32, ${range(g).map((i) => `w${i} : i32,`).join(" ")}`;
    this.shaderKey = `projections_grad_${g}_c${this.outputComponent}`;
  }

  /** WGSL loads of a k tile: dX's (dY_s and W_s of segment s) and dW's (X and dY of product p). */
  #loads(): { dxA: string; dxB: string; dwA: string; dwB: string } {
    const g = this.widths.length;
    const dxA = loadTile({
      tile: "tileA",
      alongK: true,
      outer: "uniforms.m",
      k: "ks",
      origin: "m0",
      read: (at) => perSegment(g, (i) => `x = dY${i}[${at}];`),
    });
    const dxB = loadTile({
      tile: "tileB",
      alongK: true,
      outer: "uniforms.d",
      k: "ks",
      origin: "n0",
      read: (at) => perSegment(g, (i) => `x = W${i}[${at}];`),
    });
    const dwA = loadTile({
      tile: "tileA",
      alongK: false,
      outer: "uniforms.d",
      k: "uniforms.m",
      origin: "m0",
      read: (at) => `x = X[${at}];`,
    });
    const dwB = loadTile({
      tile: "tileB",
      alongK: false,
      outer: "pn",
      k: "uniforms.m",
      origin: "n0",
      read: (at) => range(g).map((i) => `if (p == ${i + 1}) { x = dY${i}[${at}]; }`).join(" else "),
    });
    return { dxA, dxB, dwA, dwB };
  }

  getUserCode(): string {
    const g = this.widths.length;
    const T = MATMUL_TILE, K = MATMUL_TILE_K;
    // Product p: 0 is dX ([m, d]), 1 + i is dWi ([d, wi]); pick it and the tile from workgroup x.
    const pick = range(g).map((i) => `
    if (p == ${i} && w >= (pm + ${T - 1}) / ${T} * ((pn + ${T - 1}) / ${T})) {
      w -= (pm + ${T - 1}) / ${T} * ((pn + ${T - 1}) / ${T});
      p = ${i + 1};
      pm = uniforms.d;
      pn = uniforms.w${i};
    }`).join("");
    // dX's k steps run over dY0·W0ᵀ, then dY1·W1ᵀ, ...: segment s and its k0 for step t.
    const segment = range(g).slice(1).map((i) => `
        if (s == ${i - 1} && tt >= (ks + ${K - 1}) / ${K}) {
          tt -= (ks + ${K - 1}) / ${K};
          s = ${i};
          ks = uniforms.w${i};
        }`).join("");
    const { dxA, dxB, dwA, dwB } = this.#loads();
    const store = storeBlock({
      m: "pm",
      n: "pn",
      firstRow: "0",
      vec4: this.outputComponent === 4,
      store: (at, value) =>
        [
          `if (p == 0) { result[${at}] = ${value}; }`,
          ...range(g).map((i) => `if (p == ${i + 1}) { O${i}[${at}] = ${value}; }`),
        ]
          .join(" else "),
    });
    return `
${TILES}
  var<workgroup> stepsHere : i32;
  fn main(index : i32) {${THREAD_IDS}
    var w = i32(workgroupId.x);
    var p = 0;
    var pm = uniforms.m;
    var pn = uniforms.d;${pick}
    let n0 = (w % ((pn + ${T - 1}) / ${T})) * ${T};
    let m0 = (w / ((pn + ${T - 1}) / ${T})) * ${T};
    var acc : array<vec4<f32>, 4>;
    // Each workgroup loops over its own product's k tiles only. tfjs keeps the built-in ids in private variables,
    // which WGSL cannot prove uniform, so the count goes through workgroup memory (workgroupUniformLoad).
    if (tid == 0) {
      var depth = uniforms.m;
      if (p == 0) { depth = ${range(g).map((i) => `(uniforms.w${i} + ${K - 1}) / ${K} * ${K}`).join(" + ")}; }
      stepsHere = (depth + ${K - 1}) / ${K};
    }
    let steps = workgroupUniformLoad(&stepsHere);
    for (var t = 0; t < steps; t++) {
      if (p == 0) {
        var tt = t;
        var s = 0;
        var ks = uniforms.w0;${segment}
        let k0 = tt * ${K};${dxA}${dxB}
      } else {
        let k0 = t * ${K};${dwA}${dwB}
      }
${MULTIPLY_TILES}
    }${store}
  }`;
  }
}

/** WGSL: `if (s == 0) { … } else if …` over dX's k segments. */
function perSegment(g: number, statement: (i: number) => string): string {
  return range(g).map((i) => `if (s == ${i}) { ${statement(i)} }`).join(" else ");
}
