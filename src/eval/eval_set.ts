/**
 * Assembling what the runner evaluates at each cadence: validation windows
 * per source and the tokenized task items, all fixed for a suite.
 * @module
 */
import type { CacheOptions } from "../data/corpus.ts";
import { loadCorpus } from "../data/corpus.ts";
import { tokenStream } from "../data/stream.ts";
import type { Tokenizer } from "../data/tokenizer/types.ts";
import { TEXT_SOURCES } from "../data/types.ts";
import { validationSet } from "../data/validation.ts";
import type { EvalSet } from "./evaluate.ts";
import { loadLastWordItems, loadMcItems } from "./tasks/items.ts";
import { prepareMc } from "./tasks/prepare.ts";

/** Options of {@linkcode openEvalSet}. */
export interface EvalSetOptions extends CacheOptions {
  tokenizer: Tokenizer;
  /** Sources whose validation loss is reported (e.g. ["brown", "nlp-corpus", "synthetic"]). */
  sources: string[];
  /** The model's window: validation windows have this many tokens. */
  seqLen: number;
  /** Scored validation tokens per source. */
  valTokens: number;
  /** Items per task (0: no tasks). */
  taskItems: number;
  /** Text sources the task items come from (default: the text sources among `sources`). */
  taskSources?: string[];
  /** Seed of the item sets (default 0); keep it fixed across a suite. */
  itemSeed?: number;
}

/**
 * Builds the evaluation set of a run.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "../data/mod.ts";
 * import { evaluate } from "./evaluate.ts";
 * import type { SequenceScorer } from "./scorer.ts";
 * declare const scorer: SequenceScorer;
 * const tokenizer = new ByteTokenizer();
 * const evalSet = await openEvalSet({ tokenizer, sources: ["brown", "nlp-corpus"], seqLen: 256,
 *   valTokens: 65536, taskItems: 500 });
 * const result = await evaluate(scorer, evalSet);
 * ```
 */
export async function openEvalSet(options: EvalSetOptions): Promise<EvalSet> {
  const { tokenizer, seqLen } = options;
  const validation = [];
  for (const source of options.sources) {
    const stream = await tokenStream(source, "validation", tokenizer, options);
    validation.push(validationSet(stream, tokenizer, { seqLen, maxTokens: options.valTokens }));
  }
  const tasks = [];
  const taskSources = options.taskSources ??
    options.sources.filter((s) => (TEXT_SOURCES as readonly string[]).includes(s));
  if (options.taskItems > 0 && taskSources.length > 0) {
    const corpora = await Promise.all(taskSources.map((s) => loadCorpus(s, options)));
    const itemOptions = { ...options, corpora, n: options.taskItems, seed: options.itemSeed ?? 0, seqLen };
    tasks.push(prepareMc(await loadMcItems(itemOptions), tokenizer, seqLen));
    tasks.push(prepareMc(await loadLastWordItems(itemOptions), tokenizer, seqLen));
  }
  return { validation, tasks };
}
