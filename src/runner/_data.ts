/**
 * The runner's view of the data and evaluation libraries: the paired batch
 * stream with a resumable position, and the run's fixed evaluation set.
 */
import { type Batch, DEFAULT_CACHE_DIR, type LoaderPosition, openTrainingData, type Tokenizer } from "../data/mod.ts";
import { type EvalResult, evaluate, openEvalSet } from "../eval/mod.ts";
import type { SequenceScorer } from "../eval/scorer.ts";
import type { ResolvedConfig } from "./plan.ts";

/** Data of one run. */
export interface RunData {
  /** The run's tokenizer, saved as `tokenizer.json` beside the checkpoint so the checkpoint is usable alone. */
  tokenizer: Tokenizer;
  nextBatch(): Batch;
  position(): LoaderPosition;
  restore(position: unknown): void;
  evaluate(scorer: SequenceScorer): Promise<EvalResult>;
}

/**
 * Opens the batch loader and evaluation set of a run (built from the on-disk
 * cache after the first run).
 *
 * @example
 * ```ts
 * const data = await openRunData(config);
 * const batch = data.nextBatch();
 * ```
 */
export async function openRunData(config: ResolvedConfig, cacheDir = DEFAULT_CACHE_DIR): Promise<RunData> {
  const { train, data } = config;
  const { tokenizer, loader } = await openTrainingData({
    train: data.train,
    tokenizer: data.tokenizer,
    dataSeed: data.dataSeed,
    batchSize: train.batchSize,
    seqLen: train.seqLen,
    cacheDir,
  });
  const evalSet = await openEvalSet({
    tokenizer,
    sources: data.validation,
    seqLen: train.seqLen,
    valTokens: train.valTokens,
    taskItems: train.taskItems,
    cacheDir,
  });
  return {
    tokenizer,
    nextBatch: () => loader.next(),
    position: () => loader.position(),
    restore: (position) => loader.restore(position as LoaderPosition),
    evaluate: (scorer) => evaluate(scorer, evalSet),
  };
}
