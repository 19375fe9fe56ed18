/**
 * The wasm backend's memory, found through tfjs's engine without
 * initialising a backend.
 * @module
 */
import { tf } from "../backend/tf.ts";

/**
 * The initialised wasm backend's memory, or `null` when this process has none.
 *
 * @example
 * ```ts
 * const memory = wasmBackendMemory();
 * ```
 */
export function wasmBackendMemory(): WebAssembly.Memory | null {
  const backend = tf.engine().registry["wasm"] as { wasm?: { asm?: { memory?: WebAssembly.Memory } } } | undefined;
  return backend?.wasm?.asm?.memory ?? null;
}
