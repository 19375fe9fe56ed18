/**
 * Starting a tfjs backend, with the `auto` rule and honest errors.
 * @module
 */
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { BackendUnavailableError, UsageError } from "../util/errors.ts";
import {
  type AdapterFingerprint,
  type BackendChoice,
  type BackendInfo,
  describeAdapter,
  fingerprint,
} from "./fingerprint.ts";
import { tf } from "./tf.ts";
import { ensureRuntimeDir } from "./_runtime_dir.ts";
import { fastKernelsReady, installFastKernels } from "../kernels/install.ts";

/**
 * Dispatches tfjs-backend-webgpu records before it submits a command buffer
 * (tfjs's default is 15). A training step records a few hundred dispatches and
 * reads the device rarely, so fewer, larger submissions cut the per-submit
 * cost without leaving the GPU waiting: the queue stays ahead of it.
 */
export const WEBGPU_SUBMIT_BATCH = 64;

/** Every value {@linkcode initBackend} accepts. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "webgpu", "wasm", "cpu"];

/**
 * Looks for a WebGPU adapter. Returns `null` when the runtime has no WebGPU or
 * no adapter, so callers can decide between an error and a fallback.
 *
 * @example
 * ```ts
 * const adapter = await probeWebGPU();
 * console.log(adapter ? adapter.description : "no WebGPU adapter");
 * ```
 */
export async function probeWebGPU(): Promise<AdapterFingerprint | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return null;
  ensureRuntimeDir(); // before the first adapter request, when Mesa reads it
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    return adapter ? describeAdapter(adapter) : null;
  } catch {
    return null;
  }
}

/**
 * Checks a backend name given by a user.
 *
 * @example
 * ```ts
 * parseBackendChoice("wasm"); // "wasm"
 * ```
 */
export function parseBackendChoice(value: string): BackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new UsageError(`unknown backend '${value}' (expected one of: ${BACKEND_CHOICES.join(", ")})`);
}

let wasmPathsSet = false;
function pointWasmAtPackage(): void {
  if (wasmPathsSet) return;
  // The .wasm binaries ship inside the npm package; resolving the package's own
  // folder works both with a node_modules dir and from Deno's global cache.
  const entry = import.meta.resolve("@tensorflow/tfjs-backend-wasm");
  setWasmPaths(new URL(".", entry).pathname);
  wasmPathsSet = true;
}

async function activate(name: "webgpu" | "wasm" | "cpu", threads?: number): Promise<void> {
  if (name === "wasm") pointWasmAtPackage();
  let ok = false;
  let cause = "";
  const warn = console.warn;
  // tfjs reports a failed backend start through console.warn and returns false;
  // capture it so the error we raise names the cause.
  console.warn = (...args: unknown[]) => {
    cause += args.map(String).join(" ") + " ";
  };
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    cause += error instanceof Error ? error.message : String(error);
  } finally {
    console.warn = warn;
  }
  if (!ok || tf.getBackend() !== name) {
    throw new BackendUnavailableError(name, cause.trim() || "tfjs could not initialise it");
  }
  await tf.ready();
  if (name === "webgpu") tf.env().set("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE", WEBGPU_SUBMIT_BATCH);
  // tfjs's own matmuls are 10-80x slower on cpu/wasm (transposed operands especially);
  // every backend start gets the fast ones, whoever calls initBackend.
  installFastKernels({ threads });
  await fastKernelsReady();
}

/**
 * The `auto` rule: a real GPU adapter means `webgpu`; a missing or software
 * (fallback) adapter means `wasm`, which is faster than WebGPU on lavapipe.
 *
 * @example
 * ```ts
 * chooseAutoBackend(null); // "wasm"
 * ```
 */
export function chooseAutoBackend(adapter: AdapterFingerprint | null): "webgpu" | "wasm" {
  return adapter && !adapter.isFallback ? "webgpu" : "wasm";
}

/** Options of {@linkcode initBackend}; the probe is replaceable for tests. */
export interface InitBackendOptions {
  probe?: () => Promise<AdapterFingerprint | null>;
  /** GEMM threads of the fast kernels (default: the kernels' own default). */
  threads?: number;
}

/**
 * Starts a tfjs backend and returns the environment fingerprint.
 *
 * - `auto` uses `webgpu` when the adapter is a real (not fallback/software)
 *   GPU, otherwise `wasm`.
 * - An explicit `webgpu` also accepts a software adapter (lavapipe), so the
 *   WebGPU code paths can be tested on machines without a GPU.
 * - An explicit backend that cannot start throws {@linkcode BackendUnavailableError};
 *   there is never a silent fallback.
 *
 * @example
 * ```ts
 * const info = await initBackend("cpu");
 * console.log(info.backend, info.cpu.model);
 * ```
 */
export async function initBackend(
  choice: BackendChoice | string = "auto",
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  const name = parseBackendChoice(choice);
  if (name === "webgpu" || name === "auto") {
    const adapter = await (options.probe ?? probeWebGPU)();
    if (name === "webgpu" && !adapter) {
      throw new BackendUnavailableError(
        "webgpu",
        "navigator.gpu gave no adapter (no GPU, or no Vulkan driver such as mesa-vulkan-drivers)",
      );
    }
    const chosen = name === "webgpu" ? "webgpu" : chooseAutoBackend(adapter);
    await activate(chosen, options.threads);
    return fingerprint(chosen, chosen === "webgpu" ? adapter : null, name === "auto");
  }
  await activate(name, options.threads);
  return fingerprint(name, null, false);
}
