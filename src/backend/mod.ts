/**
 * Backends: the one tfjs namespace, starting a backend, and the environment
 * fingerprint that results record.
 *
 * @example
 * ```ts
 * import { initBackend, tf } from "./mod.ts";
 * await initBackend("cpu");
 * tf.ones([2]).print();
 * ```
 * @module
 */
export { tf } from "./tf.ts";
export {
  BACKEND_CHOICES,
  chooseAutoBackend,
  initBackend,
  type InitBackendOptions,
  parseBackendChoice,
  probeWebGPU,
} from "./init.ts";
export {
  type AdapterFingerprint,
  type BackendChoice,
  type BackendInfo,
  type BackendName,
  describeAdapter,
  fingerprint,
} from "./fingerprint.ts";
export { isSoftwareDescription } from "./software_adapter.ts";
