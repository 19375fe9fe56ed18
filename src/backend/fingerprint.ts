/**
 * The environment fingerprint that every result file records.
 * @module
 */
import os from "node:os";
import { tf } from "./tf.ts";
import { isSoftwareDescription } from "./software_adapter.ts";
import { activeGemm, gemmThreads } from "../kernels/install.ts";
import { type BlasInfo, nativeBlas } from "../kernels/matmul/mod.ts";
import { heapThreadCount } from "../kernels/parallel/mod.ts";
import { wasmBackendMemory } from "../kernels/wasm_backend.ts";

/** Names accepted by {@linkcode initBackend}. */
export type BackendName = "webgpu" | "wasm" | "cpu";
/** A backend name, or `auto` to let {@linkcode initBackend} choose. */
export type BackendChoice = "auto" | BackendName;

/** What a WebGPU adapter says about itself; `null` on CPU backends. */
export interface AdapterFingerprint {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters such as lavapipe / llvmpipe or SwiftShader. */
  isFallback: boolean;
  /** The adapter limits that bound tensor sizes and workgroup shapes. */
  limits: Record<string, number>;
  features: string[];
}

/**
 * The environment a run happened in: enough to tell two machines apart and to
 * explain a difference in speed or in the last bits of a number.
 */
export interface BackendInfo {
  backend: BackendName;
  /** Whether `auto` chose this backend (false when it was asked for by name). */
  auto: boolean;
  adapter: AdapterFingerprint | null;
  /** wasm only: SIMD and threads, which decide its speed. */
  /** wasm only: SIMD, tfjs's own threads (none in Deno), and the heap threads the fused kernels and GEMMs split over. */
  wasm: { simd: boolean; threads: boolean; heapThreads: number } | null;
  versions: { tfjs: string; deno: string; v8: string; typescript: string };
  os: { platform: string; release: string; arch: string };
  cpu: { model: string; cores: number };
  memoryGiB: number;
  /**
   * cpu/wasm only (`null` on webgpu): which GEMM the matmuls ran on, its
   * threads, and the native BLAS when that is the one (library, version,
   * core type, threads): it decides speed and the last bits of every number.
   */
  gemm: { kind: "native" | "wasm"; threads: number; blas: BlasInfo | null } | null;
}

/** Adapter limits worth recording: the ones that cap buffer and workgroup sizes. */
export const RECORDED_LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
] as const;

/**
 * Describes a WebGPU adapter in plain data.
 *
 * @example
 * ```ts
 * const adapter = await navigator.gpu?.requestAdapter();
 * if (adapter) console.log(describeAdapter(adapter).description);
 * ```
 */
export function describeAdapter(adapter: GPUAdapter): AdapterFingerprint {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const limits: Record<string, number> = {};
  for (const key of RECORDED_LIMITS) limits[key] = Number(adapter.limits[key]);
  const legacyFallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallback: Boolean(info.isFallbackAdapter ?? legacyFallback) || isSoftwareDescription(info.description),
    limits,
    features: [...adapter.features].sort(),
  };
}

/**
 * Builds the fingerprint for the backend that is active now.
 *
 * @example
 * ```ts
 * const info = fingerprint("cpu", null, false);
 * console.log(info.cpu.cores);
 * ```
 */
export function fingerprint(backend: BackendName, adapter: AdapterFingerprint | null, auto: boolean): BackendInfo {
  const cpus = os.cpus();
  return {
    backend,
    auto,
    adapter,
    wasm: backend === "wasm"
      ? {
        simd: Boolean(tf.env().getBool("WASM_HAS_SIMD_SUPPORT")),
        threads: Boolean(tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT")),
        heapThreads: heapThreadCount(wasmBackendMemory()),
      }
      : null,
    versions: {
      tfjs: tf.version.tfjs,
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
    },
    os: { platform: Deno.build.os, release: os.release(), arch: Deno.build.arch },
    cpu: { model: cpus[0]?.model?.trim() ?? "unknown", cores: cpus.length },
    memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    gemm: backend === "webgpu" ? null : {
      kind: activeGemm(),
      threads: gemmThreads(),
      blas: activeGemm() === "native" ? nativeBlas()?.info() ?? null : null,
    },
  };
}
