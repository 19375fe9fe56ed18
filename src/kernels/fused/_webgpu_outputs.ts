/**
 * One WebGPU dispatch that writes several tensors. tfjs-backend-webgpu's
 * programs write one output (`result`) and bind every input read-only; a
 * fused kernel with several outputs would take one dispatch per output. Here
 * the extra outputs are fresh tensors passed as the program's first inputs,
 * and their bindings are made `read_write` in the shader tfjs generates (its
 * compile step is the one place the source passes through), so the program
 * writes them as ordinary arrays: one dispatch, tfjs's submission, batching
 * and profiling timers unchanged.
 * @module
 */
import type { tf } from "../../backend/tf.ts";
import type { WebGPUProgramLike } from "./_webgpu_common.ts";
import type { Uniform, WebGPUKernelBackend } from "./_webgpu_backend.ts";

/** What the extra outputs need of the backend beyond the kernels' usual part. */
interface Device {
  createShaderModule(descriptor: { code: string; label?: string }): unknown;
}

/** The binding tfjs generates for input `name` (tfjs-backend-webgpu 4.22 `webgpu_program.js`). */
function readOnlyBinding(name: string): RegExp {
  return new RegExp(`var<storage, read> ${name}\\s*:`);
}

/**
 * Makes the bindings of `names` writable in a tfjs-generated shader; throws
 * when one is not found (a tfjs that declares its inputs differently).
 *
 * @example
 * ```ts
 * writableBindings("@group(0) @binding(1) var<storage, read> mOut: array<f32>;", ["mOut"]);
 * // "@group(0) @binding(1) var<storage, read_write> mOut: array<f32>;"
 * ```
 */
export function writableBindings(code: string, names: readonly string[]): string {
  let out = code;
  for (const name of names) {
    const pattern = readOnlyBinding(name);
    if (!pattern.test(out)) throw new Error(`fused webgpu kernel: no read-only binding '${name}' in the shader`);
    out = out.replace(pattern, `var<storage, read_write> ${name}:`);
  }
  return out;
}

/**
 * Runs `program` once: it writes `result` (the first of `shapes`) and, as
 * writable arrays, the program's first `shapes.length − 1` variable names
 * (the rest of `shapes`); `inputs` bind to the remaining names. Returns the
 * outputs in `shapes` order.
 *
 * @example
 * ```ts
 * import type { tf } from "../../backend/tf.ts";
 * import type { WebGPUProgramLike } from "./_webgpu_common.ts";
 * import type { Uniform, WebGPUKernelBackend } from "./_webgpu_backend.ts";
 * declare const backend: WebGPUKernelBackend, program: WebGPUProgramLike, uniforms: Uniform[];
 * declare const p: tf.TensorInfo, m: tf.TensorInfo, v: tf.TensorInfo, g: tf.TensorInfo;
 * // program.variableNames = ["mOut", "vOut", "p", "m", "v", "g"]
 * const [p1, m1, v1] = runWithOutputs(backend, program, [p, m, v, g], [p.shape, p.shape, p.shape], uniforms);
 * ```
 */
export function runWithOutputs(
  backend: WebGPUKernelBackend,
  program: WebGPUProgramLike,
  inputs: tf.TensorInfo[],
  shapes: number[][],
  uniforms: Uniform[],
): tf.TensorInfo[] {
  const outputs = shapes.map((shape) => backend.makeTensorInfo(shape, "float32"));
  const writable = program.variableNames.slice(0, shapes.length - 1);
  const device = backend.device as unknown as Device;
  const create = device.createShaderModule;
  // Only a pipeline tfjs has not cached yet compiles here; cached ones were compiled by this same path.
  device.createShaderModule = (descriptor) =>
    create.call(device, { ...descriptor, code: writableBindings(descriptor.code, writable) });
  try {
    backend.runWebGPUProgram(program, [...outputs.slice(1), ...inputs], "float32", uniforms, outputs[0]);
  } finally {
    device.createShaderModule = create;
  }
  return outputs;
}
