/**
 * Fused AdamW: the update of every parameter in one kernel call on `cpu`
 * and `wasm`, bit-identical to the unfused ops (every operation rounded to
 * float32 in their order); on `webgpu` the flat step ({@linkcode flatAdamW}:
 * clipping and every parameter's update in two dispatches, to float32
 * tolerance). Registered when this module loads.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * import { adamwConstants, fusedAdamW, hasFusedAdamW } from "./mod.ts";
 * const p = tf.ones([4]), m = tf.zeros([4]), v = tf.zeros([4]), g = tf.ones([4]);
 * if (hasFusedAdamW()) {
 *   const [p1, m1, v1] = fusedAdamW([{ p, m, v, g, decay: true }], adamwConstants([0.9, 0.95], 1e-8, 0.1, 1e-3, 1));
 * }
 * ```
 * @module
 */
import { tf } from "../../backend/tf.ts";
import { hasKernel, registerKernels } from "../registry.ts";
import { ADAMW_KERNELS, FLAT_ADAMW, type FlatAdamWAttrs, FUSED_ADAMW, type FusedAdamWAttrs } from "./kernel.ts";
import type { AdamWConstants } from "./math.ts";
import { ADAMW_WEBGPU_KERNELS } from "./webgpu.ts";

export { type AdamWConstants, adamwConstants, adamwUpdate } from "./math.ts";
export { FLAT_ADAMW, type FlatAdamWAttrs, FUSED_ADAMW, type FusedAdamWAttrs } from "./kernel.ts";
export { FlatAdamWProgram, FlatSumSquaresProgram } from "./_webgpu_programs.ts";

registerKernels({ kernels: [...ADAMW_KERNELS, ...ADAMW_WEBGPU_KERNELS] });

/**
 * Whether the active (or given) backend has the fused AdamW kernel.
 *
 * @example
 * ```ts
 * hasFusedAdamW("cpu"); // true
 * ```
 */
export function hasFusedAdamW(backend: string = tf.getBackend()): boolean {
  return hasKernel(FUSED_ADAMW, backend);
}

/** One parameter of a fused update: its value, moments, gradient (`null`: zero) and whether it decays. */
export interface AdamWSlot {
  p: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
  g: tf.Tensor | null;
  decay: boolean;
}

/**
 * Runs one fused update of all `slots`; returns `[p', m', v']` per slot, in order.
 *
 * @example
 * ```ts
 * declare const slots: AdamWSlot[];
 * declare const step: number;
 * const next = fusedAdamW(slots, adamwConstants([0.9, 0.95], 1e-8, 0.1, 1e-3, step));
 * ```
 */
export function fusedAdamW(slots: readonly AdamWSlot[], constants: AdamWConstants): tf.Tensor[][] {
  const inputs: Record<string, tf.Tensor> = {};
  slots.forEach((s, i) => {
    inputs[`p${i}`] = s.p;
    inputs[`m${i}`] = s.m;
    inputs[`v${i}`] = s.v;
    if (s.g) inputs[`g${i}`] = s.g;
  });
  const attrs: FusedAdamWAttrs = { ...constants, count: slots.length, decayMask: slots.map((s) => s.decay ? 1 : 0) };
  const out = tf.engine().runKernel(FUSED_ADAMW, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return slots.map((_, i) => out.slice(3 * i, 3 * i + 3));
}

/**
 * Whether the active (or given) backend has the flat AdamW step (webgpu).
 *
 * @example
 * ```ts
 * hasFlatAdamW("wasm"); // false
 * ```
 */
export function hasFlatAdamW(backend: string = tf.getBackend()): boolean {
  return tf.getKernel(FLAT_ADAMW, backend) !== undefined;
}

/** One parameter of a flat step: its value, gradient (`null`: zero). */
export interface FlatSlot {
  p: tf.Tensor;
  g: tf.Tensor | null;
}

/** What {@linkcode flatAdamW} returns: the new parameters in slot order, moments and the gradients' norm. */
export interface FlatStep {
  params: tf.Tensor[];
  m: tf.Tensor1D;
  v: tf.Tensor1D;
  norm: tf.Scalar;
}

/**
 * Clips the gradients to global norm `maxNorm` (`null`: no clipping) and
 * applies one AdamW update to every slot, with the moments `m`, `v` flat
 * (slots in order, length rounded up to a multiple of 4); the first
 * `decayCount` slots decay.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * const [w, b] = [tf.ones([2, 3]), tf.ones([3])];
 * const [m, v] = [tf.zeros([12]), tf.zeros([12])] as tf.Tensor1D[];
 * const slots = [{ p: w, g: tf.onesLike(w) }, { p: b, g: null }];
 * const next = flatAdamW(slots, m, v, 1, adamwConstants([0.9, 0.95], 1e-8, 0.1, 1e-3, 1), 1.0);
 * ```
 */
export function flatAdamW(
  slots: readonly FlatSlot[],
  m: tf.Tensor1D,
  v: tf.Tensor1D,
  decayCount: number,
  constants: AdamWConstants,
  maxNorm: number | null,
): FlatStep {
  const inputs: Record<string, tf.Tensor> = { m, v };
  slots.forEach((s, i) => {
    inputs[`p${i}`] = s.p;
    if (s.g) inputs[`g${i}`] = s.g;
  });
  const attrs: FlatAdamWAttrs = {
    ...constants,
    count: slots.length,
    decayCount,
    clip: maxNorm === null ? 0 : 1,
    maxNorm: maxNorm ?? 0,
  };
  const out = tf.engine().runKernel(FLAT_ADAMW, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  const n = slots.length;
  return {
    params: out.slice(0, n),
    m: out[n] as tf.Tensor1D,
    v: out[n + 1] as tf.Tensor1D,
    norm: out[n + 2] as tf.Scalar,
  };
}
