/**
 * `FusedCausalAttention` and its gradient on `webgpu`. Forward: q·kᵀ on the
 * backend's BatchMatMul, one row program for scale + causal mask + softmax,
 * p·v (three dispatches, where the stock ops take a scale, a transpose, the
 * mask's ops, an add, a softmax and two products). Backward: the four
 * gradient products and one row program for the softmax backward
 * (`ds = scale·p⊙(dp − Σ dp⊙p)`): five dispatches.
 *
 * Same inputs, attributes and outputs as the cpu/wasm kernels (kernels.ts).
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { tf as tfjs } from "../../backend/tf.ts";
import {
  fusedInputs,
  isSoftwareAdapter,
  ROW_INDEX,
  rowDispatch,
  rowWorkgroupSize,
  type Uniform,
  type WebGPUKernelBackend,
  type WebGPUProgramLike,
} from "../fused/mod.ts";
import { type CausalAttentionAttrs, FUSED_CAUSAL_ATTENTION, FUSED_CAUSAL_ATTENTION_GRAD } from "./kernels.ts";

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

const { kernelInputs } = fusedInputs("fused attention");

function matMul(backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean) {
  return tfjs.getKernel("BatchMatMul", "webgpu")!.kernelFunc({
    inputs: { a, b },
    backend: backend as tf.KernelBackend,
    attrs: { transposeA, transposeB },
  }) as tf.TensorInfo;
}

function rowPass(
  backend: WebGPUKernelBackend,
  pass: "softmax" | "backward",
  inputs: tf.TensorInfo[],
  q: tf.TensorInfo,
  scale: number,
): tf.TensorInfo {
  const [batch, heads, seq] = q.shape;
  const rows = batch * heads * seq;
  const program = new CausalRowProgram(rows, seq, pass, isSoftwareAdapter(backend));
  const uniforms: Uniform[] = [
    { type: "int32", data: [seq] },
    { type: "int32", data: [rows] },
    { type: "float32", data: [scale] },
  ];
  const out = backend.runWebGPUProgram(program, inputs, "float32", uniforms);
  return { dataId: out.dataId, shape: [batch, heads, seq, seq], dtype: "float32" };
}

function checkShapes(q: tf.TensorInfo, ...others: tf.TensorInfo[]): void {
  if (q.shape.length !== 4) throw new Error(`fused attention takes [batch, heads, seq, headDim], got [${q.shape}]`);
  for (const t of others) {
    if (String(t.shape) !== String(q.shape)) {
      throw new Error(`fused attention needs q, k, v of one shape, got [${q.shape}] and [${t.shape}]`);
    }
  }
}

const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUKernelBackend;
  const { q, k, v } = kernelInputs(inputs, "q", "k", "v");
  checkShapes(q, k, v);
  const { scale } = attrs as CausalAttentionAttrs;
  const scores = matMul(b, q, k, false, true);
  const probs = rowPass(b, "softmax", [scores], q, scale);
  b.disposeData(scores.dataId);
  return [matMul(b, probs, v, false, false), probs];
};

const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUKernelBackend;
  const { dy, q, k, v, probs } = kernelInputs(inputs, "dy", "q", "k", "v", "probs");
  checkShapes(q, k, v, dy);
  const { scale } = attrs as CausalAttentionAttrs;
  const dv = matMul(b, probs, dy, true, false);
  const dp = matMul(b, dy, v, false, true);
  const ds = rowPass(b, "backward", [probs, dp], q, scale);
  b.disposeData(dp.dataId);
  const dq = matMul(b, ds, k, false, false);
  const dk = matMul(b, ds, q, true, false);
  b.disposeData(ds.dataId);
  return [dq, dk, dv];
};

/**
 * The webgpu kernel configs (both directions), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * for (const config of ATTENTION_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const ATTENTION_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_CAUSAL_ATTENTION, backendName: "webgpu", kernelFunc: forward },
  { kernelName: FUSED_CAUSAL_ATTENTION_GRAD, backendName: "webgpu", kernelFunc: backward },
];
