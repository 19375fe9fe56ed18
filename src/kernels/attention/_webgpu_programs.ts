/**
 * WGSL programs of the fused causal attention on webgpu: the row passes
 * between its products (the masked softmax forward, the softmax backward).
 * @module
 */
import { ROW_INDEX, rowDispatch, rowWorkgroupSize, type WebGPUProgramLike } from "../fused/mod.ts";

/** Lowest finite float32: the start of a row maximum. */
const LOWEST = "-3.4028234e38";

/**
 * A row pass over score matrices `[seq, seq]` stored one after another
 * (rows = matrices·seq, one workgroup a row; row r is query r mod seq).
 * `softmax`: input scores, output the causal softmax of `scale·scores`.
 * `backward`: inputs p, dp, output `scale·p⊙(dp − Σ_j dp⊙p)` (0 above the diagonal).
 *
 * @example
 * ```ts
 * new CausalRowProgram(64 * 128, 128, "softmax").variableNames; // ["scores"]
 * ```
 */
export class CausalRowProgram implements WebGPUProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  uniforms = "n : i32, rows : i32, scale : f32,";

  constructor(rows: number, seq: number, readonly pass: "softmax" | "backward", software = false) {
    this.outputShape = [rows, seq];
    this.variableNames = pass === "softmax" ? ["scores"] : ["p", "dp"];
    this.workgroupSize = [rowWorkgroupSize(seq, software), 1, 1];
    this.dispatch = rowDispatch(rows);
    this.shaderKey = `fused_attention_${pass}_wg${this.workgroupSize[0]}`;
  }

  /** Reduces each thread's `v` over the workgroup with `op` into `stat` (two barriers). */
  private reduce(v: string, op: (a: string, b: string) => string, finish: (total: string) => string): string {
    const wg = this.workgroupSize[0];
    return `
    red[tid] = ${v};
    workgroupBarrier();
    if (tid == 0) {
      var total = red[0];
      for (var k = 1; k < ${wg}; k++) {
        total = ${op("total", "red[k]")};
      }
      stat = ${finish("total")};
    }
    workgroupBarrier();`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const head = `
  var<workgroup> red : array<f32, ${wg}>;
  var<workgroup> stat : f32;
  ${ROW_INDEX}
  fn main(index : i32) {
    let tid = i32(localId.x);
    let row = rowIndex();
    let n = uniforms.n;
    let valid = row < uniforms.rows;
    let i = row % n;
    let base = row * n;
    let scale = uniforms.scale;`;
    if (this.pass === "backward") {
      return `${head}
    var d = 0.0;
    if (valid) {
      for (var j = tid; j <= i; j += ${wg}) {
        d += dp[base + j] * p[base + j];
      }
    }
    ${this.reduce("d", (a, b) => `${a} + ${b}`, (t) => t)}
    let dot = stat;
    if (valid) {
      for (var j = tid; j < n; j += ${wg}) {
        result[base + j] = select(0.0, scale * p[base + j] * (dp[base + j] - dot), j <= i);
      }
    }
  }`;
    }
    // Each thread reads the shared result before the barrier that lets thread 0 overwrite it.
    return `${head}
    var m = ${LOWEST};
    if (valid) {
      for (var j = tid; j <= i; j += ${wg}) {
        m = max(m, scores[base + j] * scale);
      }
    }
    ${this.reduce("m", (a, b) => `max(${a}, ${b})`, (t) => t)}
    let rowMax = stat;
    var s = 0.0;
    if (valid) {
      for (var j = tid; j <= i; j += ${wg}) {
        s += exp(scores[base + j] * scale - rowMax);
      }
    }
    ${this.reduce("s", (a, b) => `${a} + ${b}`, (t) => `1.0 / ${t}`)}
    let inv = stat;
    if (valid) {
      for (var j = tid; j < n; j += ${wg}) {
        result[base + j] = select(0.0, exp(scores[base + j] * scale - rowMax) * inv, j <= i);
      }
    }
  }`;
  }
}
