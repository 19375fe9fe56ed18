/**
 * The training-speed harness: trains a benchmark model for a few steps on the
 * active backend and reports the median step time, throughput and MFU.
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { BackendInfo } from "../backend/mod.ts";
import { createModel, type ModelConfig, PAPER_ADAMW, type StepResult, type TrainBatch, Trainer } from "../model/mod.ts";
import { Rng } from "../util/rng.ts";
import { activeGemm, gemmThreads } from "../kernels/mod.ts";
import { profileStep, type StepProfile } from "./profile.ts";
import { countDeviceReads } from "../kernels/fused/mod.ts";
import { benchModelConfig, type TrainBenchConfig } from "./config.ts";
import { measureMatmulPeak, trainFlopsPerStep } from "./flops.ts";
import { median, quantile } from "./stats.ts";

/** One row of `results/bench/latest.json`. */
export interface TrainBenchResult {
  name: string;
  backend: string;
  activation: string;
  msPerStepMedian: number;
  tokensPerSecond: number;
  /**
   * Model FLOPs per second over the machine's fp32 GEMM peak measured in the
   * same run (`details.peakGflops`, whose source `details.peakSource` names:
   * the native BLAS at 2048² when it loads).
   */
  mfu: number;
  env: BackendInfo;
  details: {
    warmupSteps: number;
    timedSteps: number;
    msPerStep: number[];
    msPerStepMin: number;
    msPerStepP90: number;
    tokensPerStep: number;
    modelFlopsPerStep: number;
    /** Model FLOP/s actually achieved, in GFLOP/s. */
    achievedGflops: number;
    /** The MFU denominator: the machine's fp32 GEMM peak in GFLOP/s (see `peakSource`). */
    peakGflops: number;
    /** Where `peakGflops` comes from, e.g. `native BLAS sgemm 2048²` or `wasm backend matMul 1024²`. */
    peakSource: string;
    /** Best GFLOP/s of a square tf.matMul on this backend as configured (size `peakMatmulSize`). */
    backendMatmulGflops: number;
    peakMatmulSize: number;
    /** The GEMM the matmuls ran on (cpu/wasm): the native BLAS or the wasm SIMD GEMM. */
    gemm: "native" | "wasm" | null;
    /** One extra (untimed) step under tf.profile: kernel calls, GEMM share of kernel time. */
    profile: StepProfile | null;
    parameters: number;
    finalLoss: number;
    /** Loss of every step, warm-up included: the same seed gives the same curve on every backend. */
    losses: number[];
    /** Tensors alive after the run minus before it; 0 means no leak. */
    leakedTensors: number;
    /** Host reads of device memory per training step (webgpu; null on backends whose reads are not transfers). */
    readbacksPerStep: number | null;
    /** Threads the matmuls ran on. */
    gemmThreads: number;
    /** With a PyTorch peer run: the eager peer's median ms/step and this row's time over it. */
    pytorchMsPerStep?: number;
    ratioToPytorch?: number;
    /** This row's time over each peer row of the same activation (eager, compile). */
    peerRatios?: { peer: string; msPerStep: number; ratio: number }[];
  };
}

/** Options of {@linkcode runTrainBench}. */
export interface RunTrainBenchOptions {
  /** The fingerprint `initBackend` returned for the active backend. */
  env: BackendInfo;
  /** Reuse a measured backend matmul rate (GFLOP/s) instead of measuring it again. */
  peakGflops?: number;
  /** The machine's fp32 GEMM peak (the MFU denominator) and where it came from; default: the backend's rate. */
  machinePeak?: { gflops: number; source: string };
  /** Profile one extra step for kernel calls and GEMM share (default true). */
  profile?: boolean;
  /** Side of the square matmul that measures the peak. */
  peakMatmulSize?: number;
  /** The model to train instead of the config's dense bench model (e.g. a suite rung's, for `gpu-check`). */
  modelConfig?: ModelConfig;
  /** Called after every step with its index (warm-up included) and duration. */
  onStep?: (step: number, ms: number, loss: number) => void;
}

function randomBatch(rng: Rng, config: TrainBenchConfig): TrainBatch {
  const n = config.batchSize * config.seqLen;
  const stream = Int32Array.from({ length: n + 1 }, () => rng.int(config.vocab));
  return {
    inputs: stream.subarray(0, n),
    targets: stream.subarray(1, n + 1),
    batchSize: config.batchSize,
    seqLen: config.seqLen,
  };
}

/**
 * Trains `activation`'s model of `config` on the active backend: warm-up
 * steps, then timed steps, as the runner trains (the trainer reads the
 * statistics a group of steps at a time; a step's time is the wall time of
 * queueing it, which on cpu and wasm is its whole work and on webgpu also
 * carries the waits for earlier steps). Every warm-up step is done before
 * the timing starts.
 *
 * @example
 * ```ts
 * import { initBackend } from "../backend/mod.ts";
 * import { TRAIN_TINY } from "./config.ts";
 * const env = await initBackend("wasm");
 * const r = await runTrainBench({ ...TRAIN_TINY, timedSteps: 2, warmupSteps: 1 }, "swiglu", { env });
 * console.log(r.msPerStepMedian, r.mfu);
 * ```
 */
export async function runTrainBench(
  config: TrainBenchConfig,
  activation: string,
  options: RunTrainBenchOptions,
): Promise<TrainBenchResult> {
  const modelConfig = options.modelConfig ?? benchModelConfig(config, activation);
  const peakMatmulSize = options.peakMatmulSize ?? 1024;
  const peakGflops = options.peakGflops ?? await measureMatmulPeak(peakMatmulSize);
  const before = tf.memory().numTensors;
  const { times, losses, profile, readbacks, parameters } = await train(config, modelConfig, options);
  const leakedTensors = tf.memory().numTensors - before;
  const ms = median(times);
  const tokensPerStep = config.batchSize * config.seqLen;
  const modelFlopsPerStep = trainFlopsPerStep(modelConfig, config.seqLen, config.batchSize);
  const achievedGflops = modelFlopsPerStep / (ms / 1000) / 1e9;
  const peak = options.machinePeak ??
    { gflops: peakGflops, source: `${options.env.backend} backend matMul ${peakMatmulSize}²` };
  return {
    name: config.name,
    backend: options.env.backend,
    activation,
    msPerStepMedian: round(ms, 2),
    tokensPerSecond: round(tokensPerStep / (ms / 1000), 1),
    mfu: round(achievedGflops / peak.gflops, 4),
    env: options.env,
    details: {
      warmupSteps: config.warmupSteps,
      timedSteps: config.timedSteps,
      msPerStep: times.map((t) => round(t, 2)),
      msPerStepMin: round(Math.min(...times), 2),
      msPerStepP90: round(quantile(times, 0.9), 2),
      tokensPerStep,
      modelFlopsPerStep,
      achievedGflops: round(achievedGflops, 3),
      peakGflops: round(peak.gflops, 2),
      peakSource: peak.source,
      backendMatmulGflops: round(peakGflops, 2),
      peakMatmulSize,
      gemm: options.env.backend === "webgpu" ? null : activeGemm(),
      profile,
      parameters,
      finalLoss: losses.at(-1) ?? Number.NaN,
      losses,
      leakedTensors,
      readbacksPerStep: readbacks === null ? null : round(readbacks / (config.warmupSteps + config.timedSteps), 3),
      gemmThreads: options.env.backend === "webgpu" ? 0 : gemmThreads(),
    },
  };
}

/** What {@linkcode train} measured. */
interface Trained {
  /** ms of each timed step. */
  times: number[];
  /** Loss of every step, warm-up included. */
  losses: number[];
  profile: StepProfile | null;
  /** Host reads of device memory over the steps (webgpu only). */
  readbacks: number | null;
  parameters: number;
}

async function train(
  config: TrainBenchConfig,
  modelConfig: ModelConfig,
  options: RunTrainBenchOptions,
): Promise<Trained> {
  const model = createModel(modelConfig, config.seed);
  const trainer = new Trainer(model, { ...PAPER_ADAMW, decayExclude: "one_dim", gradClip: 1 });
  const rng = new Rng(config.seed + 1);
  const out: Trained = { times: [], losses: [], profile: null, readbacks: null, parameters: 0 };
  const take = (done: StepResult[]) => {
    for (const { step, seconds, stats } of done) {
      if (step > config.warmupSteps) out.times.push(seconds * 1000);
      out.losses.push(stats.loss);
      options.onStep?.(step - 1, seconds * 1000, stats.loss);
    }
  };
  try {
    const stopCounting = options.env.backend === "webgpu" ? countDeviceReads() : null;
    try {
      const total = config.warmupSteps + config.timedSteps;
      while (trainer.steps < total) {
        take(await trainer.queue(randomBatch(rng, config), config.learningRate));
        if (trainer.steps === config.warmupSteps) take(await trainer.drain());
      }
      take(await trainer.drain());
    } finally {
      out.readbacks = stopCounting?.() ?? null;
    }
    if (options.profile ?? true) {
      const batch = randomBatch(rng, config);
      out.profile = await profileStep(() => trainer.step(batch, config.learningRate));
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
  out.parameters = model.specs.reduce((sum, s) => sum + s.shape.reduce((p, d) => p * d, 1), 0);
  return out;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
