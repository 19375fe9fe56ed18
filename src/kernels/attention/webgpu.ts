/**
 * `FusedCausalAttention` and its gradient on `webgpu`. Forward: q·kᵀ on the
 * backend's BatchMatMul, one row program for scale + causal mask + softmax,
 * p·v (three dispatches, where the stock ops take a scale, a transpose, the
 * mask's ops, an add, a softmax and two products). Backward: the four
 * gradient products and one row program for the softmax backward
 * (`ds = scale·p⊙(dp − Σ dp⊙p)`): five dispatches.
 *
 * Same inputs, attributes and outputs as the cpu/wasm kernels (kernel.ts),
 * except from `FLASH_MIN_SEQ` positions up: the forward then runs the tiled
 * kernel of `./webgpu_flash.ts` and returns `[out, lse]` (no `[seq, seq]`
 * array), whose backward is `FlashCausalAttentionGrad`.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { tf as tfjs } from "../../backend/tf.ts";
import { fusedInputs, isSoftwareAdapter, type Uniform, type WebGPUKernelBackend } from "../fused/mod.ts";
import { CausalRowProgram } from "./_webgpu_programs.ts";
import { type CausalAttentionAttrs, FUSED_CAUSAL_ATTENTION, FUSED_CAUSAL_ATTENTION_GRAD } from "./kernel.ts";
import { flashForward, usesFlash } from "./webgpu_flash.ts";

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
  if (usesFlash(q.shape[2])) return flashForward(b, q, k, v, scale);
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
 * import { tf } from "../../backend/tf.ts";
 * for (const config of ATTENTION_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const ATTENTION_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_CAUSAL_ATTENTION, backendName: "webgpu", kernelFunc: forward },
  { kernelName: FUSED_CAUSAL_ATTENTION_GRAD, backendName: "webgpu", kernelFunc: backward },
];
