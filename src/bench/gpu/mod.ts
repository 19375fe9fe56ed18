/**
 * `gpu-check`: what a WebGPU adapter can do and what our training makes of
 * it, in one command — the adapter, its measured FMA and bandwidth ceilings,
 * the costs of a readback and of empty dispatches, matmul rates at square and
 * model shapes, and training rows (train-tiny and the largest two dense rungs
 * that fit) with dispatches, readbacks and peak memory per step.
 * @module
 */
import { initBackend, probeWebGPU } from "../../backend/mod.ts";
import type { AdapterFingerprint } from "../../backend/mod.ts";
import { ensureRuntimeDir } from "../../backend/_runtime_dir.ts";
import { BackendUnavailableError, UsageError } from "../../util/errors.ts";
import { type GpuCeilings, measureCeilings } from "./ceilings.ts";
import { type MatmulRow, modelMatmulShapes, squareShape, timeMatmul } from "./matmul.ts";
import { chooseRungs, type RungChoice, rungTargets, tinyTargets } from "./targets.ts";
import { type TrainingRow, trainRow } from "./training.ts";

export { formatGpuCheck } from "./format.ts";
export { estimateTrainingMemory, type MemoryEstimate } from "./memory.ts";
export type { GpuCeilings, MatmulRow, RungChoice, TrainingRow };

/** Options of {@linkcode runGpuCheck}. */
export interface GpuCheckOptions {
  /** Accept a software adapter (lavapipe): its numbers say nothing about a GPU's speed. */
  allowSoftware?: boolean;
  /** Square matmul sizes (default 1024 and 4096). */
  sizes?: number[];
  warmupSteps?: number;
  timedSteps?: number;
  /** Dense rungs to train; default: the largest two that fit. `[]` trains train-tiny only. */
  rungs?: string[];
  /** GPU memory the rungs may use, GiB (WebGPU does not tell an adapter's memory). */
  memoryGiB?: number;
  /** Largest estimated seconds a rung's step may take. */
  maxStepSeconds?: number;
  /** Also train the first training target on wasm, for comparison (default true). */
  wasm?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Everything `gpu-check` measured: the JSON it writes. */
export interface GpuCheckReport {
  adapter: AdapterFingerprint;
  software: boolean;
  ceilings: GpuCeilings;
  matmuls: (MatmulRow & { pctOfFma: number })[];
  rungs: RungChoice[];
  training: TrainingRow[];
  settings: Required<Omit<GpuCheckOptions, "log" | "rungs">> & { rungs: string[] | "auto" };
  measuredAt: string;
  seconds: number;
}

async function adapterCeilings(minMs: number, copyBytes: number): Promise<GpuCeilings> {
  ensureRuntimeDir();
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
  const adapter = await probeWebGPU();
  if (!adapter) throw new BackendUnavailableError("webgpu", "navigator.gpu gave no adapter (no GPU or no Vulkan ICD)");
  if (adapter.isFallback && !options.allowSoftware) {
    throw new UsageError(
      `the WebGPU adapter is a software one (${adapter.description}); its numbers say nothing about a GPU: ` +
        "pass --allow-software to measure it anyway",
    );
  }
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
  const chosen = rungs.filter((r) => r.chosen).map((r) => r.rung).reverse();
  const targets = [...tiny, ...await rungTargets(chosen)];
  const steps = { warmupSteps: settings.warmupSteps, timedSteps: settings.timedSteps };
  const training: TrainingRow[] = [];
  if (settings.wasm) {
    // train-tiny and the first rung on wasm, beside their webgpu rows (SwiGLU: one arm is enough for the comparison).
    const env = await initBackend("wasm");
    const onWasm = [tiny[0], targets.find((t) => t.name !== tiny[0].name && t.activation === tiny[0].activation)];
    for (const target of onWasm) {
      if (!target) continue;
      log(`training ${target.name} ${target.activation} on wasm`);
      training.push(await trainRow(target, { env, ...steps, peak: { gflops: Number.NaN, source: "-" } }));
    }
  }

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
  for (const target of targets) {
    log(`training ${target.name} ${target.activation} on webgpu`);
    training.push(await trainRow(target, { env, ...steps, peak }));
  }
  return {
    adapter,
    software: adapter.isFallback,
    ceilings,
    matmuls,
    rungs,
    training,
    settings,
    measuredAt: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
  };
}
