/**
 * The runner's view of the data and evaluation libraries: the paired batch
 * stream with a resumable position, and the run's fixed evaluation set.
 */
import {
  DEFAULT_CACHE_DIR,
  type LoaderPosition,
  openTrainingData,
  type SourceChecksum,
  sourceChecksum,
  type Tokenizer,
} from "../data/mod.ts";
import { type EvalResult, evaluate, openEvalSet } from "../eval/mod.ts";
import type { SequenceScorer } from "../eval/scorer.ts";
import type { TrainBatch } from "../model/mod.ts";
import { RUN_FILES } from "../results/mod.ts";
import type { ResolvedConfig } from "./plan.ts";

/** Data of one run. */
export interface RunData {
  /** The run's tokenizer, saved as `tokenizer.json` beside the checkpoint so the checkpoint is usable alone. */
  tokenizer: Tokenizer;
  /** The next training batch, with its shape. */
  nextBatch(): TrainBatch;
  position(): LoaderPosition;
  restore(position: unknown): void;
  /**
   * Evaluates on every validation source; the zero-shot tasks only when `tasks` is true (the final evaluation):
   * the report reads task accuracies at the end only, while the curve points need the validation loss alone.
   */
  evaluate(scorer: SequenceScorer, options: { tasks: boolean }): Promise<EvalResult>;
  /**
   * Files saved inside `checkpoint/` so `AutoTokenizer.from_pretrained(checkpoint)` finds the tokenizer:
   * `tokenizer.json` and a `tokenizer_config.json` naming PreTrainedTokenizerFast (no model-specific tokenizer
   * class, whose defaults such as an added BOS token would change the ids).
   */
  checkpointFiles: Record<string, unknown>;
  /** The checksums of the train and validation sources, as the data layer computed them (recorded in run.json). */
  checksums: { train: Record<string, SourceChecksum>; validation: Record<string, SourceChecksum> };
}

/**
 * Opens the batch loader and evaluation set of a run (built from the on-disk
 * cache after the first run).
 *
 * @example
 * ```ts
 * import type { ResolvedConfig } from "./plan.ts";
 * declare const config: ResolvedConfig;
 * const data = await openRunData(config);
 * const batch = data.nextBatch();
 * ```
 */
export async function openRunData(config: ResolvedConfig, cacheDir = DEFAULT_CACHE_DIR): Promise<RunData> {
  const { train, data } = config;
  const { tokenizer, loader, sources } = await openTrainingData({
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
    nextBatch: () => ({ ...loader.next(), batchSize: train.batchSize, seqLen: train.seqLen }),
    position: () => loader.position(),
    restore: (position) => loader.restore(position as LoaderPosition),
    evaluate: (scorer, options) => evaluate(scorer, options.tasks ? evalSet : { ...evalSet, tasks: [] }),
    checkpointFiles: {
      [RUN_FILES.tokenizer]: tokenizer.toHuggingFace(),
      "tokenizer_config.json": { tokenizer_class: "PreTrainedTokenizerFast" },
    },
    checksums: {
      train: sources,
      validation: Object.fromEntries(evalSet.validation.map((v) => [v.source, sourceChecksum(v)])),
    },
  };
}
