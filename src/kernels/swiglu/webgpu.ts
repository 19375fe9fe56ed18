/**
 * `FusedSwiGLU` and its gradient on `webgpu`: one element-wise program per
 * direction (the second output written as an extra output, see
 * `runWithOutputs`), in place of a sigmoid and two multiplies forward and
 * about seven kernels backward. Forward writes `silu(gate)·up` and σ(gate)
 * (kept for the backward, as on cpu/wasm); backward writes dGate and dUp.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { ElementwiseProgram, fusedInputs, runWithOutputs, type WebGPUKernelBackend } from "../fused/mod.ts";
import { FUSED_SWIGLU, FUSED_SWIGLU_GRAD } from "./kernel.ts";

/** σ as tfjs-backend-webgpu's Sigmoid computes it, so the forward matches the stock op. */
const SIGMOID = "1.0 / (1.0 + exp(-1.0 * gate[index]))";

const PASSES = {
  forward: {
    names: ["sOut", "gate", "up"],
    body: `let s = ${SIGMOID};
      sOut[index] = s;
      result[index] = (gate[index] * s) * up[index];`,
  },
  backward: {
    names: ["dUp", "dy", "gate", "up", "s"],
    body: `let si = s[index];
      let gi = gate[index];
      dUp[index] = dy[index] * (gi * si);
      result[index] = dy[index] * up[index] * si * (1.0 + gi * (1.0 - si));`,
  },
};

/**
 * One direction of SwiGLU over `size` elements: forward writes out
 * (`result`) and sOut from gate, up; backward writes dGate (`result`) and
 * dUp from dy, gate, up, s.
 *
 * @example
 * ```ts
 * new SwiGLUProgram(1024, "backward").variableNames; // ["dUp", "dy", "gate", "up", "s"]
 * ```
 */
export class SwiGLUProgram extends ElementwiseProgram {
  shaderKey: string;
  variableNames: string[];

  constructor(size: number, readonly pass: keyof typeof PASSES) {
    super([1, size], size, (c) => PASSES[pass].names.map(() => c));
    this.variableNames = PASSES[pass].names;
    this.shaderKey = `fused_swiglu_${pass}_c${this.c}`;
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      ${PASSES[this.pass].body}
    }
  }`;
  }
}

const { kernelInputs } = fusedInputs("fused SwiGLU");

function run(backend: unknown, pass: keyof typeof PASSES, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  const shape = inputs.gate.shape;
  for (const t of Object.values(inputs)) {
    if (String(t.shape) !== String(shape)) {
      throw new Error(`fused SwiGLU needs gate and up of one shape, got [${shape}] and [${t.shape}]`);
    }
  }
  const program = new SwiGLUProgram(shape.reduce((x, y) => x * y, 1), pass);
  const ins = program.variableNames.slice(1).map((n) => inputs[n]);
  return runWithOutputs(backend as WebGPUKernelBackend, program, ins, [shape, shape], []);
}

const forward: tf.KernelFunc = ({ inputs, backend }) => run(backend, "forward", kernelInputs(inputs, "gate", "up"));

const backward: tf.KernelFunc = ({ inputs, backend }) =>
  run(backend, "backward", kernelInputs(inputs, "dy", "gate", "up", "s"));

/**
 * The webgpu kernel configs (both directions), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of SWIGLU_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const SWIGLU_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_SWIGLU, backendName: "webgpu", kernelFunc: forward },
  { kernelName: FUSED_SWIGLU_GRAD, backendName: "webgpu", kernelFunc: backward },
];
