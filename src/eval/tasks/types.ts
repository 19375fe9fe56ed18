/**
 * Zero-shot task items (text, tokenizer-independent) and their prepared,
 * tokenized form.
 * @module
 */

/** A HellaSwag-style item: which of four endings continues the context? */
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

/** A LAMBADA-style item: predict the last word of a passage. */
export interface LastWordItem {
  id: string;
  source: string;
  /** The passage up to the last word, without trailing whitespace. */
  context: string;
  /** The last word (scored as " " + target). */
  target: string;
}

/** Task names as they appear in EvalRow.tasks. */
export const TASK_NAMES = ["mc4", "lastword"] as const;
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

/** A prepared task, ready for a scorer. */
export type PreparedTask =
  | {
    name: TaskName;
    kind: "multiple_choice";
    itemsChecksum: string;
    items: { choices: Request[]; label: number; choiceChars: number[] }[];
  }
  | { name: TaskName; kind: "greedy"; itemsChecksum: string; items: { request: Request }[] };
