/**
 * `FusedRopeHeads` and its gradient on `webgpu`: RoPE and the head
 * transpose in one element-wise program per direction (one thread per
 * output element), in place of two broadcast multiplies, a split, a
 * negation, a concat, an add and a transpose (and their gradients). The
 * cos/sin tables are {@linkcode ropeTables}' (the cpu kernels' own), uploaded
 * with each call: WGSL's cos and sin are not accurate enough at long positions.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import { ElementwiseProgram, fusedInputs, type Uniform, type WebGPUKernelBackend } from "../fused/mod.ts";
import { FUSED_ROPE_HEADS, FUSED_ROPE_HEADS_GRAD, type RopeAttrs } from "./kernel.ts";
import { ropeTables } from "./math.ts";

/**
 * One direction over `size` elements: forward reads x `[batch, seq, heads,
 * d]` and writes `[batch, heads, seq, d]`, backward the reverse; inputs
 * {x or dy, cos, sin}, uniforms seq, heads, d.
 *
 * @example
 * ```ts
 * new RopeProgram(2 * 16 * 4 * 8, true).variableNames; // ["x", "cos", "sin"]
 * ```
 */
export class RopeProgram extends ElementwiseProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = "seq : i32, heads : i32, d : i32,";

  constructor(size: number, readonly forward: boolean) {
    // One element a thread: the halves of a row are read apart.
    super([1, size], 1, () => [1, 1, 1]);
    this.variableNames = [forward ? "x" : "dy", "cos", "sin"];
    this.shaderKey = `fused_rope_${forward ? "fwd" : "bwd"}`;
  }

  getUserCode(): string {
    // Output coordinates: forward [b, h, p, i], backward [b, p, h, i].
    const [outer, inner] = this.forward ? ["heads", "seq"] : ["seq", "heads"];
    // The first half pairs with the element half a row on, the second with the one half a row back.
    const [first, second] = this.forward
      ? ["x[src + i] * cos[t] + (-x[src + half + i]) * sin[t]", "x[src + i] * cos[t] + x[src + i - half] * sin[t]"]
      : [
        "dy[src + i] * cos[t] + dy[src + half + i] * sin[t + half]",
        "dy[src + i] * cos[t] - dy[src + i - half] * sin[t - half]",
      ];
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let d = uniforms.d;
      let half = d / 2;
      let i = index % d;
      let r = index / d;
      let a = r % uniforms.${inner};
      let r2 = r / uniforms.${inner};
      let c = r2 % uniforms.${outer};
      let b = r2 / uniforms.${outer};
      // forward: c = head, a = position; backward: c = position, a = head.
      let p = ${this.forward ? "a" : "c"};
      let h = ${this.forward ? "c" : "a"};
      let src = ${
      this.forward
        ? "((b * uniforms.seq + p) * uniforms.heads + h) * d"
        : "((b * uniforms.heads + h) * uniforms.seq + p) * d"
    };
      let t = p * d + i;
      if (i < half) {
        result[index] = ${first};
      } else {
        result[index] = ${second};
      }
    }
  }`;
  }
}

const { kernelInputs } = fusedInputs("fused RoPE");

function kernel(inputName: "x" | "dy", forward: boolean): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = kernelInputs(inputs, inputName)[inputName];
    if (x.shape.length !== 4 || x.shape[3] % 2 !== 0) {
      throw new Error(`fused RoPE takes a rank-4 tensor with an even last axis, got [${x.shape}]`);
    }
    const b = backend as unknown as WebGPUKernelBackend;
    const [n0, n1, n2, d] = x.shape;
    const [seq, heads] = forward ? [n1, n2] : [n2, n1];
    const tables = ropeTables(seq, d, (attrs as RopeAttrs).theta);
    const cos = b.makeTensorInfo([seq, d], "float32", tables.cos);
    const sin = b.makeTensorInfo([seq, d], "float32", tables.sin);
    const uniforms: Uniform[] = [seq, heads, d].map((v) => ({ type: "int32", data: [v] }));
    const out = b.runWebGPUProgram(new RopeProgram(n0 * n1 * n2 * d, forward), [x, cos, sin], "float32", uniforms);
    b.disposeData(cos.dataId);
    b.disposeData(sin.dataId);
    return { dataId: out.dataId, shape: [n0, n2, n1, d], dtype: "float32" };
  };
}

/**
 * The webgpu kernel configs (both directions), for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * for (const config of ROPE_WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const ROPE_WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: FUSED_ROPE_HEADS, backendName: "webgpu", kernelFunc: kernel("x", true) },
  { kernelName: FUSED_ROPE_HEADS_GRAD, backendName: "webgpu", kernelFunc: kernel("dy", false) },
];
