/**
 * Training-speed benchmarks: the `train-tiny` configuration, the timing
 * harness (median ms/step, tokens/s, MFU), the PyTorch peer and the result
 * file `results/bench/latest.json`. Run them with `deno task bench`.
 *
 * @example
 * ```ts
 * import { initBackend } from "../backend/mod.ts";
 * import { runTrainBench, TRAIN_TINY } from "./mod.ts";
 * const env = await initBackend("wasm");
 * const row = await runTrainBench({ ...TRAIN_TINY, warmupSteps: 1, timedSteps: 2 }, "polynorm", { env });
 * console.log(row.msPerStepMedian, row.tokensPerSecond, row.mfu);
 * ```
 * @module
 */
export {
  benchModelConfig,
  parseTrainBenchConfig,
  TRAIN_TINY,
  type TrainBenchConfig,
  TrainBenchConfigSchema,
} from "./config.ts";
export { measureMatmulPeak, measureNativePeak, trainFlopsPerStep } from "./flops.ts";
export { GEMM_KERNELS, profileStep, type StepProfile } from "./profile.ts";
export { countReadbacks } from "./readbacks.ts";
export { runTrainBench, type RunTrainBenchOptions, type TrainBenchResult } from "./harness.ts";
export {
  COMPILE_TIMEOUT_MS,
  findPeerPython,
  PEER_PYTHON,
  PEER_SCRIPT,
  type PeerMode,
  type PeerOutcome,
  type PeerRuns,
  runPytorchPeer,
  runPytorchPeers,
} from "./peer.ts";
export {
  FAIR_PEER_FRACTION,
  formatBenchTable,
  LATEST_BENCH_PATH,
  peerBackend,
  peerBenchEntries,
  type PeerBenchEntry,
  type PeerResult,
  withPeerRatios,
  writeBenchResults,
} from "./results.ts";
export { median, quantile } from "./stats.ts";
