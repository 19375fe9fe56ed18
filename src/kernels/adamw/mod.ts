/**
 * Fused AdamW: the update of every parameter in one kernel call on `cpu`
 * and `wasm`, bit-identical to the unfused ops (every operation rounded to
 * float32 in their order), and on `webgpu` (three programs per parameter,
 * to float32 tolerance). Registered when this module loads.
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
import { ADAMW_KERNELS, FUSED_ADAMW, type FusedAdamWAttrs } from "./kernel.ts";
import type { AdamWConstants } from "./math.ts";
import { ADAMW_WEBGPU_KERNELS } from "./webgpu.ts";

export { type AdamWConstants, adamwConstants, adamwUpdate } from "./math.ts";
export { FUSED_ADAMW, type FusedAdamWAttrs } from "./kernel.ts";

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
