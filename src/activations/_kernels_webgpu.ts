/**
 * Fused PolyCom kernels for the `webgpu` backend, running the WGSL programs
 * of `_webgpu_programs.ts` through the backend's `runWebGPUProgram`.
 * @module
 */
import type { tf } from "../backend/tf.ts";
import { isSoftwareDescription } from "../backend/fingerprint.ts";
import {
  kernelInputs,
  POLY_NORM,
  POLY_NORM_GRAD,
  POLY_RELU,
  POLY_RELU_GRAD,
  type PolyNormAttrs,
} from "./_kernel_names.ts";
import {
  EPS_UNSCALED_F32,
  PolyNormDxProgram,
  PolyNormForwardProgram,
  PolyNormStatsProgram,
  PolyReLUDaProgram,
  PolyReLUDxProgram,
  PolyReLUForwardProgram,
  T_CUT_F32,
  vectorWidth,
  type WebGPUProgramLike,
} from "./_webgpu_programs.ts";

type Uniform = { type: "int32" | "float32"; data: number[] };

/** The part of tfjs-backend-webgpu's WebGPUBackend these kernels use. */
interface WebGPUBackend {
  device?: { adapterInfo?: { isFallbackAdapter?: boolean; description?: string } };
  runWebGPUProgram(
    program: WebGPUProgramLike,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: Uniform[],
  ): tf.TensorInfo;
}

const software = new WeakMap<object, boolean>();
let softwareOverride: boolean | null = null;

/**
 * Makes the kernels treat the adapter as software (`true`) or a GPU
 * (`false`) whatever it is, or detect it again (`null`). For tests, so that
 * lavapipe can also run the workgroup sizes a GPU gets.
 *
 * @example
 * ```ts
 * overrideSoftwareAdapter(false);
 * try { polyNorm(x, a); } finally { overrideSoftwareAdapter(null); }
 * ```
 */
export function overrideSoftwareAdapter(value: boolean | null): void {
  softwareOverride = value;
}

/**
 * Whether the backend's device is a software rasteriser (lavapipe), whose
 * reductions run fastest with small workgroups. Read from the device's
 * adapter info where the runtime has it (Deno does); a GPU otherwise.
 */
function isSoftware(backend: WebGPUBackend): boolean {
  if (softwareOverride !== null) return softwareOverride;
  let known = software.get(backend);
  if (known === undefined) {
    const info = backend.device?.adapterInfo;
    known = Boolean(info?.isFallbackAdapter) || isSoftwareDescription(info?.description ?? "");
    software.set(backend, known);
  }
  return known;
}

function shape2d(t: tf.TensorInfo): [number, number] {
  if (t.shape.length !== 2) throw new Error(`fused PolyCom kernels take [rows, n], got [${t.shape}]`);
  return [t.shape[0], t.shape[1]];
}

function rowUniforms(rows: number, n: number, eps: number): Uniform[] {
  const sqrtEps = Math.sqrt(eps);
  return [
    { type: "int32", data: [n / vectorWidth(n)] },
    { type: "int32", data: [rows] },
    { type: "float32", data: [sqrtEps] },
    { type: "float32", data: [sqrtEps / T_CUT_F32] },
    { type: "int32", data: [eps >= EPS_UNSCALED_F32[0] && eps <= EPS_UNSCALED_F32[1] ? 1 : 0] },
  ];
}

const polyNormWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WebGPUBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  const [rows, n] = shape2d(x);
  const program = new PolyNormForwardProgram(rows, n, a.shape[0] - 1, isSoftware(b));
  return b.runWebGPUProgram(program, [x, a], "float32", rowUniforms(rows, n, (attrs as PolyNormAttrs).eps));
};

const polyNormGradWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WebGPUBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const [rows, n] = shape2d(x);
  const order = a.shape[0] - 1;
  const uniforms = rowUniforms(rows, n, (attrs as PolyNormAttrs).eps);
  const soft = isSoftware(b);
  const stats = b.runWebGPUProgram(new PolyNormStatsProgram(rows, n, order, soft), [dy, x, a], "float32", uniforms);
  const dx = b.runWebGPUProgram(new PolyNormDxProgram(rows, n, order, soft), [dy, x, stats], "float32", uniforms);
  // stats' first r + 1 columns are each row's share of da; the gradient sums them.
  return [dx, stats];
};

const polyReLUWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WebGPUBackend;
  const { x, a } = kernelInputs(inputs, "x", "a");
  return b.runWebGPUProgram(new PolyReLUForwardProgram(shape2d(x), a.shape[0] - 1), [x, a], "float32");
};

const polyReLUGradWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as WebGPUBackend;
  const { dy, x, a } = kernelInputs(inputs, "dy", "x", "a");
  const shape = shape2d(x);
  const order = a.shape[0] - 1;
  const total = shape[0] * shape[1];
  const daProgram = new PolyReLUDaProgram(total, order, isSoftware(b));
  const parts = b.runWebGPUProgram(daProgram, [dy, x], "float32", [
    { type: "int32", data: [total / vectorWidth(total)] },
    { type: "int32", data: [daProgram.outputShape[0]] },
  ]);
  const dx = b.runWebGPUProgram(new PolyReLUDxProgram(shape, order), [dy, x, a], "float32");
  return [dx, parts];
};

/**
 * The webgpu kernel configs, for `tf.registerKernel`.
 *
 * @example
 * ```ts
 * for (const config of WEBGPU_KERNELS) tf.registerKernel(config);
 * ```
 */
export const WEBGPU_KERNELS: tf.KernelConfig[] = [
  { kernelName: POLY_NORM, backendName: "webgpu", kernelFunc: polyNormWebGPU },
  { kernelName: POLY_NORM_GRAD, backendName: "webgpu", kernelFunc: polyNormGradWebGPU },
  { kernelName: POLY_RELU, backendName: "webgpu", kernelFunc: polyReLUWebGPU },
  { kernelName: POLY_RELU_GRAD, backendName: "webgpu", kernelFunc: polyReLUGradWebGPU },
];
