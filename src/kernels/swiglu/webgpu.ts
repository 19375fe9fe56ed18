/**
 * `FusedSwiGLU` and its gradient on `webgpu`: two element-wise programs per
 * direction (a tfjs WebGPU program writes one output), in place of a
 * sigmoid and two multiplies forward and about seven kernels backward.
 * Forward writes `silu(gate)·up` and σ(gate) (kept for the backward, as on
 * cpu/wasm); backward writes dGate and dUp.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { ElementwiseProgram, fusedInputs, type WebGPUBackendLike } from "../fused/mod.ts";
import { FUSED_SWIGLU, FUSED_SWIGLU_GRAD } from "./kernel.ts";

/** What a program writes. */
export type SwiGLUTarget = "out" | "sigmoid" | "dGate" | "dUp";

const INPUTS: Record<SwiGLUTarget, string[]> = {
  out: ["gate", "up"],
  sigmoid: ["gate"],
  dGate: ["dy", "gate", "up", "s"],
  dUp: ["dy", "gate", "s"],
};

/** σ as tfjs-backend-webgpu's Sigmoid computes it, so the forward matches the stock op. */
const SIGMOID = "1.0 / (1.0 + exp(-1.0 * gate[index]))";

const VALUES: Record<SwiGLUTarget, string> = {
  out: `(gate[index] * (${SIGMOID})) * up[index]`,
  sigmoid: SIGMOID,
  dGate: "dy[index] * up[index] * s[index] * (1.0 + gate[index] * (1.0 - s[index]))",
  dUp: "dy[index] * (gate[index] * s[index])",
};

/**
 * One output of SwiGLU or its gradient over `size` elements.
 *
 * @example
 * ```ts
 * new SwiGLUProgram(1024, "dUp").variableNames; // ["dy", "gate", "s"]
 * ```
 */
export class SwiGLUProgram extends ElementwiseProgram {
  shaderKey: string;
  variableNames: string[];

  constructor(size: number, readonly target: SwiGLUTarget) {
    super([1, size], size, (c) => INPUTS[target].map(() => c));
    this.variableNames = INPUTS[target];
    this.shaderKey = `fused_swiglu_${target}_c${this.c}`;
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      result[index] = ${VALUES[this.target]};
    }
  }`;
  }
}

const { kernelInputs } = fusedInputs("fused SwiGLU");

function run(backend: unknown, target: SwiGLUTarget, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const shape = inputs.gate.shape;
  for (const t of Object.values(inputs)) {
    if (String(t.shape) !== String(shape)) {
      throw new Error(`fused SwiGLU needs gate and up of one shape, got [${shape}] and [${t.shape}]`);
    }
  }
  const b = backend as WebGPUBackendLike;
  const program = new SwiGLUProgram(shape.reduce((x, y) => x * y, 1), target);
  const out = b.runWebGPUProgram(program, INPUTS[target].map((n) => inputs[n]), "float32");
  // The program writes [1, size]; the same buffer in gate's shape, as a reshape would give.
  return { dataId: out.dataId, shape, dtype: "float32" };
}

const forward: tf.KernelFunc = ({ inputs, backend }) => {
  const ins = kernelInputs(inputs, "gate", "up");
  return [run(backend, "out", ins), run(backend, "sigmoid", ins)];
};

const backward: tf.KernelFunc = ({ inputs, backend }) => {
  const ins = kernelInputs(inputs, "dy", "gate", "up", "s");
  return [run(backend, "dGate", ins), run(backend, "dUp", ins)];
};

/**
 * The webgpu kernel configs (both directions), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * for (const config of SWIGLU_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const SWIGLU_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_SWIGLU, backendName: "webgpu", kernelFunc: forward },
  { kernelName: FUSED_SWIGLU_GRAD, backendName: "webgpu", kernelFunc: backward },
];
