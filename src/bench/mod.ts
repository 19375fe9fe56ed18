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
export { measureMatmulPeak, trainFlopsPerStep } from "./flops.ts";
export { runTrainBench, type RunTrainBenchOptions, type TrainBenchResult } from "./harness.ts";
export { PEER_PYTHON, PEER_SCRIPT, type PeerOutcome, runPytorchPeer } from "./peer.ts";
export {
  formatBenchTable,
  LATEST_BENCH_PATH,
  peerBenchEntries,
  type PeerBenchEntry,
  type PeerResult,
  withPeerRatios,
  writeBenchResults,
} from "./results.ts";
export { median, quantile } from "./stats.ts";
