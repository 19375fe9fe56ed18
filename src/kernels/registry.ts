/**
 * The one way a kernel gets into tfjs's registry: a {@linkcode KernelSet}
 * passed to {@linkcode registerKernels}. A set adds kernels of new names
 * (the fused ops, with their gradients: each op's `mod.ts` registers its set
 * when it loads) or replaces stock kernels by faster ones (`install.ts`
 * registers the `matmul/` and `replacements/` sets at backend start, and
 * {@linkcode restoreStockKernels} puts the originals back).
 *
 * tfjs looks a kernel up in its registry on every call, so a swap takes effect
 * immediately for all code, including gradients (which are written in terms
 * of the same kernels).
 * @module
 */
import { tf } from "../backend/tf.ts";

/** A kernel of tfjs's registry, by name and backend. */
export interface FastKernelId {
  kernelName: string;
  backendName: string;
}

/** A stock kernel replaced: `make` builds the replacement from the original (its fallback for what it does not take). */
export interface Replacement extends FastKernelId {
  make(original: tf.KernelFunc): tf.KernelFunc;
}

/** What one folder registers. */
export interface KernelSet {
  /** Kernels of new names; one some other code registered first is left as it is. */
  kernels?: readonly tf.KernelConfig[];
  /** Their gradients, likewise. */
  gradients?: readonly tf.GradConfig[];
  /** Stock kernels to replace; a backend not registered in this process has nothing to replace. */
  replacements?: readonly Replacement[];
}

/** Originals of the kernels replaced now, by `kernelName/backendName`. */
const originals = new Map<string, tf.KernelConfig>();

const keyOf = (id: FastKernelId) => `${id.kernelName}/${id.backendName}`;

function swap(config: tf.KernelConfig): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/**
 * Registers `set`: its new kernels and gradients where absent, its
 * replacements where the stock kernel is registered and not yet replaced.
 * Idempotent.
 *
 * @example
 * ```ts
 * import { SWIGLU_GRADIENT, SWIGLU_KERNELS } from "./swiglu/kernel.ts";
 * import { wasmExp } from "./replacements/wasm.ts";
 * registerKernels({ kernels: SWIGLU_KERNELS, gradients: [SWIGLU_GRADIENT] });
 * registerKernels({ replacements: [{ kernelName: "Exp", backendName: "wasm", make: wasmExp }] });
 * ```
 */
export function registerKernels(set: KernelSet): void {
  for (const config of set.kernels ?? []) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
  for (const config of set.gradients ?? []) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
  for (const r of set.replacements ?? []) {
    const key = keyOf(r);
    if (originals.has(key)) continue;
    const original = tf.getKernel(r.kernelName, r.backendName);
    if (!original) continue;
    originals.set(key, original);
    swap({ ...original, kernelFunc: r.make(original.kernelFunc) });
  }
}

/**
 * Puts every replaced stock kernel back. Idempotent.
 *
 * @example
 * ```ts
 * restoreStockKernels();
 * ```
 */
export function restoreStockKernels(): void {
  for (const [key, original] of originals) {
    swap(original);
    originals.delete(key);
  }
}

/**
 * The stock kernels replaced right now.
 *
 * @example
 * ```ts
 * console.log(replacedKernels().map((k) => `${k.kernelName}/${k.backendName}`));
 * ```
 */
export function replacedKernels(): FastKernelId[] {
  return [...originals.values()].map(({ kernelName, backendName }) => ({ kernelName, backendName }));
}

/**
 * Whether `backend` (default: the active one) has a kernel named `kernelName`.
 *
 * @example
 * ```ts
 * hasKernel("FusedSwiGLU", "wasm"); // true once swiglu/mod.ts has loaded
 * ```
 */
export function hasKernel(kernelName: string, backend: string = tf.getBackend()): boolean {
  return tf.getKernel(kernelName, backend) !== undefined;
}

/**
 * The one rule for a fused op's fallback: `fused()` when `usable` (inputs
 * the kernel takes: float32, non-empty, …) and the active backend has
 * `kernelName`, else `stock()` (the same op from stock tfjs ops, which every
 * backend runs and the kernels are tested against).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * import { FUSED_SWIGLU } from "./swiglu/mod.ts";
 * const gate = tf.randomNormal([4, 16]), up = tf.randomNormal([4, 16]);
 * const y = fusedOrStock(
 *   FUSED_SWIGLU,
 *   gate.dtype === "float32",
 *   () => tf.engine().runKernel<tf.Tensor[]>(FUSED_SWIGLU, { gate, up }, {})[0],
 *   () => tf.mul(tf.mul(gate, tf.sigmoid(gate)), up),
 * );
 * ```
 */
export function fusedOrStock<T>(kernelName: string, usable: boolean, fused: () => T, stock: () => T): T {
  return usable && hasKernel(kernelName) ? fused() : stock();
}
