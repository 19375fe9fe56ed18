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

/** What a run's record says about one of its sources: the split's content checksum and, for local sources, the files read. */
export interface SourceChecksum {
  contentChecksum: string;
  files?: Array<{ path: string; sha256: string }>;
}

/**
 * The checksum record of a stream (or validation set), without the byte counts of its files.
 *
 * @example
 * ```ts
 * import { tokenStream } from "./stream.ts";
 * import { ByteTokenizer } from "./tokenizer/byte.ts";
 * const tokenizer = new ByteTokenizer();
 * const stream = await tokenStream("brown", "train", tokenizer);
 * sourceChecksum(stream).contentChecksum; // SHA-256 hex
 * ```
 */
export function sourceChecksum(
  s: { contentChecksum: string; files?: ReadonlyArray<{ path: string; sha256: string }> },
): SourceChecksum {
  return {
    contentChecksum: s.contentChecksum,
    ...(s.files ? { files: s.files.map(({ path, sha256 }) => ({ path, sha256 })) } : {}),
  };
}

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
 * Opens the tokenizer and the batch loader of a run, with the train sources' checksums (recorded in run.json).
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
): Promise<{ tokenizer: Tokenizer; loader: BatchLoader; sources: Record<string, SourceChecksum> }> {
  const tokenizer = await loadTokenizer(options.tokenizer, options);
  const streams = [];
  const sources: Record<string, SourceChecksum> = {};
  for (const source of Object.keys(options.train).sort()) {
    const stream = await tokenStream(source, "train", tokenizer, options);
    streams.push(stream);
    sources[source] = sourceChecksum(stream);
  }
  const loader = new BatchLoader({
    streams,
    weights: options.train,
    batchSize: options.batchSize,
    seqLen: options.seqLen,
    seed: options.dataSeed,
  });
  return { tokenizer, loader, sources };
}
