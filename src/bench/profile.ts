/**
 * What one training step asks of the backend: how many kernels it
 * dispatches and how much of the kernel time the matmuls take.
 * @module
 */
import { tf } from "../backend/tf.ts";

/** The kernels that are GEMMs (their time is the "GEMM share"). */
export const GEMM_KERNELS: readonly string[] = ["BatchMatMul", "_FusedMatMul"];

/** The profile of one step. */
export interface StepProfile {
  /** Kernel dispatches (each registered tfjs kernel call, gradients included; custom-gradient scopes are not kernels). */
  kernelCalls: number;
  /** Summed kernel time, ms (profiling adds overhead: use the shares, not the totals). */
  kernelMs: number;
  /** Of which the GEMM kernels'. */
  gemmMs: number;
  /** `gemmMs / kernelMs`. */
  gemmShare: number;
  /** Calls and ms per kernel name, most time first. */
  byKernel: { name: string; calls: number; ms: number }[];
}

/**
 * Runs `step` under `tf.profile` and summarises its kernels.
 *
 * @example
 * ```ts
 * import type { TrainBatch, Trainer } from "../model/mod.ts";
 * declare const trainer: Trainer;
 * declare const batch: TrainBatch;
 * const p = await profileStep(() => trainer.step(batch, 1e-3));
 * console.log(p.kernelCalls, p.gemmShare);
 * ```
 */
export async function profileStep(step: () => Promise<unknown>): Promise<StepProfile> {
  const info = await tf.profile(async () => {
    await step();
  });
  const byName = new Map<string, { calls: number; ms: number }>();
  let kernelMs = 0, gemmMs = 0;
  const backend = tf.getBackend();
  for (const k of info.kernels) {
    // A custom-gradient op (attention's, the stock cross-entropy's "unnamed scope") is listed beside the kernels it
    // runs, with their time: only registered kernels count, so nothing is counted twice.
    if (tf.getKernel(k.name, backend) === undefined) continue;
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    const entry = byName.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += ms;
    byName.set(k.name, entry);
    kernelMs += ms;
    if (GEMM_KERNELS.includes(k.name)) gemmMs += ms;
  }
  const byKernel = [...byName].map(([name, e]) => ({ name, calls: e.calls, ms: round(e.ms) }))
    .sort((a, b) => b.ms - a.ms);
  return {
    kernelCalls: [...byName.values()].reduce((n, e) => n + e.calls, 0),
    kernelMs: round(kernelMs),
    gemmMs: round(gemmMs),
    gemmShare: kernelMs > 0 ? Math.round(gemmMs / kernelMs * 1e4) / 1e4 : 0,
    byKernel,
  };
}

const round = (v: number) => Math.round(v * 100) / 100;
