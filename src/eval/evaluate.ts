/**
 * Evaluation through a {@linkcode SequenceScorer} only: per-source
 * validation loss, perplexity, bits per byte and next-token accuracy, and the
 * zero-shot tasks. The result is an EvalRow without its step and tokens.
 * @module
 */
import type { EvalRow } from "../results/schema.ts";
import type { ValidationSet } from "../data/validation.ts";
import type { SequenceScorer } from "./scorer.ts";
import { scoreSequences, Sum } from "./_score.ts";
import type { PreparedTask, Request } from "./tasks/types.ts";

/** What to evaluate on. */
export interface EvalSet {
  validation: ValidationSet[];
  tasks: PreparedTask[];
}

/** An EvalRow without `step` and `tokens` (the runner adds them). */
export type EvalResult = Omit<EvalRow, "step" | "tokens">;

/**
 * Sequences per scorer call: many, so that a scorer which batches sequences of equal length (the model's) finds
 * large groups; the scorer bounds its own forward passes.
 */
export const EVAL_BATCH_SEQUENCES = 1024;

/** Options of {@linkcode evaluate}. */
export interface EvaluateOptions {
  /** Sequences per scorer call (default {@linkcode EVAL_BATCH_SEQUENCES}). */
  batchSize?: number;
}

/** Per-source metrics. */
export type SourceMetrics = EvalResult["sources"][string];
/** Per-task metrics. */
export type TaskMetrics = EvalResult["tasks"][string];

/**
 * Scores validation windows: loss (nats/token), ppl = exp(loss), bits per
 * byte = total nats / (ln 2 · bytes), and the share of positions whose
 * argmax is the true next token.
 *
 * @example
 * ```ts
 * import type { ValidationSet } from "../data/validation.ts";
 * import type { SequenceScorer } from "./scorer.ts";
 * declare const scorer: SequenceScorer;
 * declare const validationSet: ValidationSet;
 * const m = await evaluateSource(scorer, validationSet);
 * m.loss; // nats per token
 * ```
 */
export async function evaluateSource(
  scorer: SequenceScorer,
  set: ValidationSet,
  options: EvaluateOptions = {},
): Promise<SourceMetrics> {
  const { logprobs, argmax } = await scoreSequences(scorer, set.windows, {
    batchSize: options.batchSize ?? EVAL_BATCH_SEQUENCES,
    argmax: true,
  });
  const nats = new Sum();
  let correct = 0;
  let count = 0;
  set.windows.forEach((w, i) => {
    for (let t = 0; t < w.length - 1; t++) {
      nats.add(-logprobs[i][t]);
      if (argmax![i][t] === w[t + 1]) correct++;
      count++;
    }
  });
  if (count !== set.scoredTokens) throw new Error(`validation set of ${set.source} miscounts its tokens`);
  const loss = nats.value / count;
  return {
    loss,
    ppl: Math.exp(loss),
    bitsPerByte: set.scoredBytes > 0 ? nats.value / (Math.LN2 * set.scoredBytes) : null,
    accuracy: correct / count,
    tokens: count,
    contentChecksum: set.contentChecksum,
    ...(set.files ? { files: set.files } : {}),
  };
}

function continuationLogprob(request: Request, logprobs: number[]): number {
  const sum = new Sum();
  for (let t = request.contStart; t < request.tokens.length; t++) sum.add(logprobs[t - 1]);
  return sum.value;
}

/** Index of the largest value; the first on ties (numpy's argmax). */
function argmaxOf(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Scores one prepared task: `acc` picks the ending with the largest log-likelihood, `acc_norm` the largest
 * log-likelihood per character of the ending (lm-evaluation-harness); `chance` is the task's guessing level, written
 * with the accuracy so readers of the result files can tell a score from a guess.
 *
 * @example
 * ```ts
 * import type { Tokenizer } from "../data/tokenizer/types.ts";
 * import type { SequenceScorer } from "./scorer.ts";
 * import { prepareMc } from "./tasks/prepare.ts";
 * import type { ItemSet, McItem } from "./tasks/types.ts";
 * declare const scorer: SequenceScorer;
 * declare const set: ItemSet<McItem>;
 * declare const tokenizer: Tokenizer;
 * const { acc, accNorm, chance } = await evaluateTask(scorer, prepareMc(set, tokenizer, 256));
 * ```
 */
export async function evaluateTask(
  scorer: SequenceScorer,
  task: PreparedTask,
  options: EvaluateOptions = {},
): Promise<TaskMetrics> {
  const requests = task.items.flatMap((item) => item.choices);
  const batchSize = options.batchSize ?? EVAL_BATCH_SEQUENCES;
  const { logprobs } = await scoreSequences(scorer, requests.map((r) => r.tokens), { batchSize, argmax: false });
  let acc = 0;
  let accNorm = 0;
  let k = 0;
  for (const item of task.items) {
    const lls = item.choices.map((choice) => continuationLogprob(choice, logprobs[k++]));
    if (argmaxOf(lls) === item.label) acc++;
    if (argmaxOf(lls.map((ll, i) => ll / item.choiceChars[i])) === item.label) accNorm++;
  }
  const n = task.items.length;
  return { acc: acc / n, accNorm: accNorm / n, n, itemsChecksum: task.itemsChecksum, chance: task.chance };
}

/**
 * Evaluates a scorer on every validation source and task. Tasks with no
 * items are left out (an accuracy of nothing is not a number).
 *
 * @example
 * ```ts
 * import type { EvalRow } from "../results/schema.ts";
 * import type { SequenceScorer } from "./scorer.ts";
 * declare const scorer: SequenceScorer;
 * declare const evalSet: EvalSet;
 * const step = 1000;
 * const tokens = step * 16 * 256;
 * const result = await evaluate(scorer, evalSet);
 * const row: EvalRow = { step, tokens, ...result };
 * ```
 */
export async function evaluate(
  scorer: SequenceScorer,
  set: EvalSet,
  options: EvaluateOptions = {},
): Promise<EvalResult> {
  const sources: EvalResult["sources"] = {};
  for (const v of set.validation) sources[v.source] = await evaluateSource(scorer, v, options);
  const tasks: EvalResult["tasks"] = {};
  for (const task of set.tasks) if (task.items.length > 0) tasks[task.name] = await evaluateTask(scorer, task, options);
  return { sources, tasks };
}
