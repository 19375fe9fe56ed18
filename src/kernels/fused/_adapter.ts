/**
 * Whether the webgpu backend runs on a software adapter (lavapipe), and the
 * workgroup sizes that follow from it, for every family of fused kernels: a
 * software adapter runs a workgroup on one CPU thread with its invocations in
 * SIMD lanes, so reductions there use as many threads as the SIMD width
 * (each invocation beyond it adds switching at every barrier), and a GPU
 * gets 32 or 64 threads a row.
 * @module
 */
import { isSoftwareDescription } from "../../backend/software_adapter.ts";

/** The part of tfjs-backend-webgpu's WebGPUBackend the detection reads. */
export interface AdapterHolder {
  device?: { adapterInfo?: { isFallbackAdapter?: boolean; description?: string } };
}

const known = new WeakMap<object, boolean>();
let override: boolean | null = null;

/**
 * Makes every fused kernel (activations and model) treat the adapter as
 * software (`true`) or a GPU (`false`) whatever it is, or detect it again
 * (`null`). For tests, so that lavapipe also runs the workgroup sizes a GPU gets.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * import { fusedRmsNorm } from "../rms_norm/mod.ts";
 * const x = tf.randomNormal([4, 16]), w = tf.ones([16]);
 * overrideSoftwareAdapter(false);
 * try { fusedRmsNorm(x, w, 1e-5); } finally { overrideSoftwareAdapter(null); }
 * ```
 */
export function overrideSoftwareAdapter(value: boolean | null): void {
  override = value;
}

/**
 * Whether the backend's device is a software rasteriser, read once per
 * backend from the device's adapter info (Deno has it); a GPU otherwise.
 *
 * @example
 * ```ts
 * import { tf } from "../../backend/tf.ts";
 * isSoftwareAdapter(tf.backend() as AdapterHolder);
 * ```
 */
export function isSoftwareAdapter(backend: AdapterHolder): boolean {
  if (override !== null) return override;
  let soft = known.get(backend);
  if (soft === undefined) {
    const info = backend.device?.adapterInfo;
    soft = Boolean(info?.isFallbackAdapter) || isSoftwareDescription(info?.description ?? "");
    known.set(backend, soft);
  }
  return soft;
}

/** Threads a row of the reducing programs on a software adapter: lavapipe's SIMD width. */
export const SOFTWARE_WORKGROUP = 8;

/**
 * Threads per row for a row of `units` loads.
 *
 * @example
 * ```ts
 * rowWorkgroupSize(128); // 32
 * rowWorkgroupSize(512, true); // 8
 * ```
 */
export function rowWorkgroupSize(units: number, software = false): number {
  if (software) return SOFTWARE_WORKGROUP;
  return units <= 512 ? 32 : 64;
}
