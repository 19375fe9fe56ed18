/**
 * `gpu-check`: what a WebGPU adapter can do and what our training makes of
 * it, in one command — the adapter, its measured FMA and bandwidth ceilings,
 * the costs of a readback and of empty dispatches, matmul rates at square and
 * model shapes, and training rows (train-tiny and the largest two dense rungs
 * that fit) with dispatches, readbacks and peak memory per step.
 * @module
 */
import { initBackend, probeWebGPU } from "../../backend/mod.ts";
import type { AdapterFingerprint, BackendInfo } from "../../backend/mod.ts";
import type { GpuCheckOptions, GpuCheckReport } from "./report.ts";
import { BackendUnavailableError, UsageError } from "../../util/errors.ts";
import { type GpuCeilings, measureCeilings } from "./ceilings.ts";
import { type MatmulRow, modelMatmulShapes, squareShape, timeMatmul } from "./matmul.ts";
import { chooseRungs, type RungChoice, rungTargets, tinyTargets } from "./targets.ts";
import type { TrainingTarget } from "./training.ts";
import { type TrainingRow, trainRow } from "./training.ts";

export { formatGpuCheck } from "./format.ts";
export type { GpuCheckOptions, GpuCheckReport } from "./report.ts";
export { estimateTrainingMemory, type MemoryEstimate } from "./memory.ts";
export type { GpuCeilings, MatmulRow, RungChoice, TrainingRow };

/** Measures the ceilings on a device of its own (after `checkedAdapter`'s probe has set up the runtime dir). */
async function adapterCeilings(minMs: number, copyBytes: number): Promise<GpuCeilings> {
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new BackendUnavailableError("webgpu", "navigator.gpu gave no adapter");
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    },
  });
  try {
    return await measureCeilings(device, { minMs, copyBytes });
  } finally {
    device.destroy();
  }
}

/**
 * Runs the whole check. Refuses a software adapter unless `allowSoftware`.
 *
 * @example
 * ```ts
 * const report = await runGpuCheck({ allowSoftware: true, sizes: [128], rungs: [], timedSteps: 1, warmupSteps: 0, wasm: false });
 * console.log(formatGpuCheck(report));
 * ```
 */
export async function runGpuCheck(options: GpuCheckOptions = {}): Promise<GpuCheckReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const adapter = await checkedAdapter(options.allowSoftware ?? false);
  const settings = {
    allowSoftware: options.allowSoftware ?? false,
    sizes: options.sizes ?? [1024, 4096],
    warmupSteps: options.warmupSteps ?? (adapter.isFallback ? 1 : 3),
    timedSteps: options.timedSteps ?? (adapter.isFallback ? 2 : 10),
    memoryGiB: options.memoryGiB ?? 16,
    maxStepSeconds: options.maxStepSeconds ?? (adapter.isFallback ? 20 : 5),
    wasm: options.wasm ?? true,
    rungs: options.rungs ?? "auto" as const,
  };
  log(`adapter: ${adapter.description} (${adapter.vendor}${adapter.isFallback ? ", software" : ""})`);
  const ceilings = await adapterCeilings(adapter.isFallback ? 10 : 50, adapter.isFallback ? 2 ** 25 : 2 ** 30);
  log(`ceilings: FMA ${ceilings.fmaGflops.toFixed(0)} GFLOP/s, copy ${ceilings.copyGBs.toFixed(1)} GB/s`);

  const tiny = tinyTargets();
  const rungs = await chooseRungs(
    {
      memoryBytes: settings.memoryGiB * 2 ** 30,
      maxBindingBytes: adapter.limits.maxStorageBufferBindingSize,
      maxStepSeconds: settings.maxStepSeconds,
      // Training reaches a fraction of the FMA ceiling on WebGPU (fp32, no tensor cores); a tenth keeps the cap honest.
      assumedGflops: ceilings.fmaGflops / 10,
    },
    2,
    settings.rungs === "auto" ? undefined : settings.rungs,
  );
  const targets = [...tiny, ...await rungTargets(rungs.filter((r) => r.chosen).map((r) => r.rung).reverse())];
  const steps = { warmupSteps: settings.warmupSteps, timedSteps: settings.timedSteps };
  // train-tiny and the first rung on wasm, beside their webgpu rows (SwiGLU: one arm is enough for the comparison).
  const onWasm = settings.wasm ? targets.filter((t, i) => t.activation === tiny[0].activation && i <= tiny.length) : [];
  const training = onWasm.length === 0
    ? []
    : await trainAll(onWasm, await initBackend("wasm"), steps, { gflops: Number.NaN, source: "-" }, log);

  const env = await initBackend("webgpu");
  const largest = targets.at(-1)!;
  const shapes = [
    ...settings.sizes.map(squareShape),
    ...modelMatmulShapes(largest.model, largest.batchSize * largest.seqLen),
  ];
  const matmuls = [];
  for (const shape of shapes) {
    log(`matmul ${shape.label} ${shape.m}×${shape.k}×${shape.n}`);
    const row = await timeMatmul(shape, adapter.isFallback ? 2 : 10);
    matmuls.push({ ...row, pctOfFma: (100 * row.gflops) / ceilings.fmaGflops });
  }
  const peak = { gflops: ceilings.fmaGflops, source: "measured FMA ceiling" };
  training.push(...await trainAll(targets, env, steps, peak, log));
  const seconds = (performance.now() - started) / 1000;
  return {
    adapter,
    software: adapter.isFallback,
    ceilings,
    matmuls,
    rungs,
    training,
    settings,
    measuredAt: new Date().toISOString(),
    seconds,
  };
}

async function checkedAdapter(allowSoftware: boolean): Promise<AdapterFingerprint> {
  const adapter = await probeWebGPU();
  if (!adapter) throw new BackendUnavailableError("webgpu", "navigator.gpu gave no adapter (no GPU or no Vulkan ICD)");
  if (adapter.isFallback && !allowSoftware) {
    throw new UsageError(
      `the WebGPU adapter is a software one (${adapter.description}); its numbers say nothing about a GPU: ` +
        "pass --allow-software to measure it anyway",
    );
  }
  return adapter;
}

async function trainAll(
  targets: TrainingTarget[],
  env: BackendInfo,
  steps: { warmupSteps: number; timedSteps: number },
  peak: { gflops: number; source: string },
  log: (line: string) => void,
): Promise<TrainingRow[]> {
  const rows: TrainingRow[] = [];
  for (const target of targets) {
    log(`training ${target.name} ${target.activation} on ${env.backend}`);
    rows.push(await trainRow(target, { env, ...steps, peak }));
  }
  return rows;
}
