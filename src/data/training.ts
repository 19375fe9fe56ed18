/**
 * The training side in one call: tokenizer, train-split streams of the
 * mixture, and the batch loader.
 * @module
 */
import type { CacheOptions } from "./corpus.ts";
import { BatchLoader } from "./batch_loader.ts";
import { tokenStream } from "./stream.ts";
import { loadTokenizer } from "./tokenizer/load.ts";
import type { Tokenizer, TokenizerSpec } from "./tokenizer/types.ts";

/** Options of {@linkcode openTrainingData}. */
export interface TrainingDataOptions extends CacheOptions {
  /** Mixture: source name → weight. */
  train: Record<string, number>;
  tokenizer: TokenizerSpec;
  /** Seed of the data order (the same for every activation and model seed of a suite). */
  dataSeed: number;
  batchSize: number;
  seqLen: number;
}

/**
 * Opens the tokenizer and the batch loader of a run.
 *
 * @example
 * ```ts
 * const { tokenizer, loader } = await openTrainingData({ train: { brown: 1, "nlp-corpus": 1 },
 *   tokenizer: "byte", dataSeed: 0, batchSize: 16, seqLen: 64 });
 * const batch = loader.next(); // { inputs, targets, sources }
 * ```
 */
export async function openTrainingData(
  options: TrainingDataOptions,
): Promise<{ tokenizer: Tokenizer; loader: BatchLoader }> {
  const tokenizer = await loadTokenizer(options.tokenizer, options);
  const streams = [];
  for (const source of Object.keys(options.train).sort()) {
    streams.push(await tokenStream(source, "train", tokenizer, options));
  }
  const loader = new BatchLoader({
    streams,
    weights: options.train,
    batchSize: options.batchSize,
    seqLen: options.seqLen,
    seed: options.dataSeed,
  });
  return { tokenizer, loader };
}
