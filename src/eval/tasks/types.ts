/**
 * Zero-shot task items (text, tokenizer-independent) and their prepared,
 * tokenized form.
 * @module
 */

/**
 * A multiple-choice item: which of the endings continues the context? HellaSwag-style (`mc4`: sentence endings) and
 * LAMBADA-style (`lastword4`: last words) items both have this shape.
 */
export interface McItem {
  /** `<document id>#<character offset>`. */
  id: string;
  source: string;
  /** Text before the cut, without trailing whitespace. */
  context: string;
  /** Four endings without the leading space (scored as " " + ending, as lm-evaluation-harness does). */
  endings: string[];
  /** Index of the true ending. */
  label: number;
}

/** Task names as they appear in EvalRow.tasks. */
export const TASK_NAMES = ["mc4", "lastword4"] as const;
/** A task name. */
export type TaskName = typeof TASK_NAMES[number];

/** A fixed item set with its checksum. */
export interface ItemSet<T> {
  task: TaskName;
  /** Version of the item builder (bumped when it changes). */
  version: number;
  seed: number;
  items: T[];
  /** SHA-256 of canonical JSON of {task, version, seed, items}. */
  checksum: string;
}

/** A tokenized context + continuation; the continuation is `tokens[contStart..]`. */
export interface Request {
  tokens: number[];
  contStart: number;
}

/** A prepared task, ready for a scorer: every item a choice among tokenized endings. */
export interface PreparedTask {
  name: TaskName;
  itemsChecksum: string;
  /** Accuracy of a uniform guess: the mean over items of 1 / (number of endings). */
  chance: number;
  items: { choices: Request[]; label: number; choiceChars: number[] }[];
}
