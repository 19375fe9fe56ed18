/**
 * `FusedClipByGlobalNorm` on `webgpu`: the sum of squares of up to
 * {@linkcode SUM_GROUP} gradients per program (one workgroup, adding the
 * previous group's sum), then element-wise programs that scale up to
 * {@linkcode SCALE_GROUP} gradients each by `min(1, maxNorm / (sqrt(sum) +
 * 1e-6))` (extra outputs, see `runWithOutputs`), and one that writes the
 * norm: about N/6 + N/3 + 1 dispatches for N gradients, where the stock ops
 * take a square, a sum and a multiply per gradient and a stack.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import {
  fusedInputs,
  isSoftwareAdapter,
  runWithOutputs,
  type Uniform,
  type WebGPUKernelBackend,
} from "../fused/mod.ts";
import { ClipScaleProgram, NormProgram, SCALE_GROUP, SUM_GROUP, SumSquaresProgram } from "./_webgpu_programs.ts";
import { type ClipAttrs, FUSED_CLIP_BY_GLOBAL_NORM } from "./kernel.ts";

export { SCALE_GROUP, SUM_GROUP } from "./_webgpu_programs.ts";

const { kernelInputs } = fusedInputs("fused clipping");

const clipWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGPUKernelBackend;
  const { count, maxNorm } = attrs as ClipAttrs;
  const names = Array.from({ length: count }, (_, i) => `g${i}`);
  const found = kernelInputs(inputs, ...names);
  const grads = names.map((n) => found[n]);
  const sizes = grads.map((g) => g.shape.reduce((x, y) => x * y, 1));
  const software = isSoftwareAdapter(b);
  // Empty gradients add nothing (and have no buffer to bind).
  const summed = grads.map((g, i) => ({ g, n: sizes[i], index: i })).filter((e) => e.n > 0);
  let sum: tf.TensorInfo | null = null;
  for (let start = 0; start < summed.length; start += SUM_GROUP) {
    const group = summed.slice(start, start + SUM_GROUP);
    const program = new SumSquaresProgram(group.length, sum !== null, software);
    const uniforms: Uniform[] = group.map((e) => ({ type: "int32", data: [e.n] }));
    const ins = group.map((e) => e.g);
    const next: tf.TensorInfo = b.runWebGPUProgram(program, sum ? [...ins, sum] : ins, "float32", uniforms);
    if (sum) b.disposeData(sum.dataId);
    sum = next;
  }
  const total = sum ?? b.makeTensorInfo([1], "float32", Float32Array.of(0));
  const clipped: (tf.TensorInfo | undefined)[] = grads.map(() => undefined);
  for (let start = 0; start < summed.length; start += SCALE_GROUP) {
    const group = summed.slice(start, start + SCALE_GROUP);
    const c = group.every((e) => e.n % 4 === 0) ? 4 : 1;
    const longest = Math.max(...group.map((e) => e.n / c));
    const uniforms: Uniform[] = [
      ...group.map((e) => ({ type: "int32" as const, data: [e.n / c] })),
      { type: "int32", data: [longest] },
      { type: "float32", data: [maxNorm] },
    ];
    const program = new ClipScaleProgram(group.length, c, longest);
    const outs = runWithOutputs(b, program, [...group.map((e) => e.g), total], group.map((e) => e.g.shape), uniforms);
    group.forEach((e, j) => clipped[e.index] = outs[j]);
  }
  const norm = b.runWebGPUProgram(new NormProgram(), [total], "float32");
  b.disposeData(total.dataId);
  const empty = (g: tf.TensorInfo) => b.makeTensorInfo(g.shape, "float32", new Float32Array(0));
  return [...clipped.map((t, i) => t ?? empty(grads[i])), {
    dataId: norm.dataId,
    shape: [],
    dtype: "float32" as const,
  }];
};

/**
 * The webgpu kernel config, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of CLIP_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const CLIP_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_CLIP_BY_GLOBAL_NORM, backendName: "webgpu", kernelFunc: clipWebGPU },
];
