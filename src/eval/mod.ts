/**
 * Evaluation behind {@linkcode SequenceScorer}: per-source validation loss,
 * perplexity, bits per byte and next-token accuracy, and zero-shot tasks (a
 * HellaSwag-style four-way choice, "mc4", and a LAMBADA-style last word,
 * "lastword") on fixed, checksummed item sets from held-out text.
 *
 * @example
 * ```ts
 * import { evaluate, openEvalSet } from "./mod.ts";
 * import { ByteTokenizer } from "../data/mod.ts";
 * import type { Model } from "../model/mod.ts";
 * import { modelScorer } from "../model/scorer.ts";
 * declare const model: Model;
 * const evalSet = await openEvalSet({ tokenizer: new ByteTokenizer(), sources: ["brown"], seqLen: 64,
 *   valTokens: 4096, taskItems: 20 });
 * const result = await evaluate(modelScorer(model), evalSet); // result.sources.brown.loss, result.tasks.mc4.acc
 * ```
 * @module
 */
export type { SequenceScorer } from "./scorer.ts";
export {
  EVAL_BATCH_SEQUENCES,
  type EvalResult,
  type EvalSet,
  evaluate,
  type EvaluateOptions,
  evaluateSource,
  evaluateTask,
  type SourceMetrics,
  type TaskMetrics,
} from "./evaluate.ts";
export { type EvalSetOptions, openEvalSet } from "./eval_set.ts";
export {
  BARE_CHECKPOINT_DEFAULTS,
  type CheckpointEvalOverrides,
  type CheckpointEvalSettings,
  type CheckpointShape,
  parseTokenizerArg,
  resolveCheckpointEval,
  TOKENIZER_FILE,
} from "./checkpoint_settings.ts";
export { BRUTE_FORCE_LIMIT, type Scored, scoreSequences } from "./_score.ts";
export type { ItemSet, McItem, PreparedTask, Request, TaskName } from "./tasks/types.ts";
export { TASK_NAMES } from "./tasks/types.ts";
export { buildMcItems, type ItemLimits, MC_VERSION, mcLimits } from "./tasks/mc.ts";
export { buildLastWordItems, LASTWORD_VERSION, type LastWordLimits, lastwordLimits } from "./tasks/lastword.ts";
export { itemsChecksum, type ItemSetOptions, loadLastWordItems, loadMcItems } from "./tasks/items.ts";
export { encodePair, prepareMc } from "./tasks/prepare.ts";
