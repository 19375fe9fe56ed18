/**
 * polycom-repro: a reproducibility and benchmark suite for *Polynomial
 * Composition Activations* (PolyCom, arXiv 2411.03884) in TensorFlow.js.
 *
 * @example
 * ```ts
 * import { initBackend, tf } from "./mod.ts";
 * const info = await initBackend("auto");
 * console.log(info.backend);
 * ```
 * @module
 */
export * from "./src/backend/mod.ts";
export { BackendUnavailableError, UsageError } from "./src/util/errors.ts";
export * from "./src/activations/mod.ts";
export * from "./src/model/mod.ts";
