/**
 * The one TensorFlow.js namespace of the library.
 *
 * Every module imports `tf` from here so that exactly one copy of tfjs-core
 * (and its kernel registry) exists in the process; the wasm and webgpu
 * backends register themselves into that copy as a side effect of import.
 *
 * @example
 * ```ts
 * import { tf } from "./tf.ts";
 * const y = tf.relu(tf.tensor1d([-1, 2]));
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";

// PROD silences tfjs's "install tfjs-node" banner (tfjs-node cannot be
// installed here) and skips debug-only checks.
tf.env().set("PROD", true);
// Threaded wasm needs worker scripts by path, which Deno rejects
// (ERR_WORKER_PATH); the single-threaded SIMD build works everywhere.
tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);

export { tf };
