/**
 * `gpu-check`'s training rows: a few timed steps of a model on the active
 * backend, with what decides GPU speed beside the time: compute dispatches
 * and host readbacks per step, and peak GPU memory.
 * @module
 */
import { tf } from "../../backend/tf.ts";
import type { BackendInfo } from "../../backend/mod.ts";
import { countDispatches } from "../../kernels/fused/mod.ts";
import type { ModelConfig } from "../../model/mod.ts";
import { runTrainBench } from "../harness.ts";
import type { TrainBenchConfig } from "../config.ts";
import { estimateTrainingMemory } from "./memory.ts";

/** One model to train. */
export interface TrainingTarget {
  name: string;
  activation: string;
  model: ModelConfig;
  batchSize: number;
  seqLen: number;
}

/** What a training row measured. */
export interface TrainingRow {
  name: string;
  backend: string;
  activation: string;
  parameters: number;
  batchSize: number;
  seqLen: number;
  msPerStep: number;
  tokensPerSecond: number;
  achievedGflops: number;
  /** Achieved model FLOP/s over the denominator named by `mfuOf`. */
  mfu: number;
  mfuOf: string;
  /** Per training step, warm-up included (the same work every step); null off webgpu. */
  dispatchesPerStep: number | null;
  readbacksPerStep: number | null;
  /** Largest GPU allocation seen after any step (tfjs's buffer pool), bytes; null off webgpu. */
  peakGpuBytes: number | null;
  estimatedBytes: number;
  finalLoss: number;
}

/** Options of {@linkcode trainRow}. */
export interface TrainRowOptions {
  env: BackendInfo;
  warmupSteps: number;
  timedSteps: number;
  /** The MFU denominator in GFLOP/s and its name (on webgpu: the measured FMA ceiling). */
  peak: { gflops: number; source: string };
}

/**
 * Trains `target` for warm-up + timed steps on the active backend and
 * measures it.
 *
 * @example
 * ```ts
 * import { initBackend } from "../../backend/mod.ts";
 * import { benchModelConfig, TRAIN_TINY } from "../config.ts";
 * const env = await initBackend("wasm");
 * const target = { name: "train-tiny", activation: "swiglu", model: benchModelConfig(TRAIN_TINY, "swiglu"), batchSize: 2, seqLen: 32 };
 * const row = await trainRow(target, { env, warmupSteps: 1, timedSteps: 1, peak: { gflops: 10, source: "guess" } });
 * console.log(row.msPerStep);
 * ```
 */
export async function trainRow(target: TrainingTarget, options: TrainRowOptions): Promise<TrainingRow> {
  const webgpu = options.env.backend === "webgpu";
  const bench: TrainBenchConfig = {
    name: target.name,
    vocab: target.model.vocab_size,
    hidden: target.model.hidden_size,
    layers: target.model.num_hidden_layers,
    heads: target.model.num_attention_heads,
    seqLen: target.seqLen,
    batchSize: target.batchSize,
    widths: { [target.activation]: target.model.intermediate_size },
    warmupSteps: options.warmupSteps,
    timedSteps: options.timedSteps,
    learningRate: 1e-4,
    seed: 0,
  };
  let peakGpuBytes = 0;
  const stopDispatches = webgpu ? countDispatches(tf.backend()) : () => 0;
  let result;
  let dispatches = 0;
  try {
    result = await runTrainBench(bench, target.activation, {
      env: options.env,
      modelConfig: target.model,
      profile: false,
      peakGflops: options.peak.gflops,
      machinePeak: options.peak,
      onStep: () => {
        if (!webgpu) return;
        const memory = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
        peakGpuBytes = Math.max(peakGpuBytes, memory.numBytesAllocatedInGPU ?? 0);
      },
    });
  } finally {
    dispatches = stopDispatches();
  }
  const steps = options.warmupSteps + options.timedSteps;
  return {
    name: target.name,
    backend: options.env.backend,
    activation: target.activation,
    parameters: result.details.parameters,
    batchSize: target.batchSize,
    seqLen: target.seqLen,
    msPerStep: result.msPerStepMedian,
    tokensPerSecond: result.tokensPerSecond,
    achievedGflops: result.details.achievedGflops,
    mfu: result.mfu,
    mfuOf: options.peak.source,
    dispatchesPerStep: webgpu ? dispatches / steps : null,
    readbacksPerStep: result.details.readbacksPerStep,
    peakGpuBytes: webgpu ? peakGpuBytes : null,
    estimatedBytes: estimateTrainingMemory(target.model, target.batchSize, target.seqLen).total,
    finalLoss: result.details.finalLoss,
  };
}
