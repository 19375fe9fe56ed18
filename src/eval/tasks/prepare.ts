/**
 * Tokenizing task items the way lm-evaluation-harness does: encode
 * context + continuation together and take the continuation as what follows
 * the context's own encoding; cut the sequence on the left to fit the model.
 * @module
 */
import type { Tokenizer } from "../../data/tokenizer/types.ts";
import type { ItemSet, LastWordItem, McItem, PreparedTask, Request } from "./types.ts";

/**
 * Tokenizes one (context, continuation) pair into a request of at most `maxLength` tokens.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "../../data/mod.ts";
 * encodePair(new ByteTokenizer(), "The cat", " sat", 64); // { tokens: [84, ..., 116], contStart: 7 }
 * ```
 */
export function encodePair(tokenizer: Tokenizer, context: string, continuation: string, maxLength: number): Request {
  // The harness moves trailing context spaces into the continuation.
  const trimmed = context.trimEnd();
  const cont = context.slice(trimmed.length) + continuation;
  const ctx = trimmed === "" ? [tokenizer.special.eos] : tokenizer.encode(trimmed);
  const whole = trimmed === "" ? [...ctx, ...tokenizer.encode(cont)] : tokenizer.encode(trimmed + cont);
  const prefixOk = ctx.every((id, i) => whole[i] === id);
  // When merges cross the boundary, the context's own encoding no longer prefixes the whole; then
  // score the separately encoded continuation (the harness would misalign here).
  const tokens = prefixOk ? whole : [...ctx, ...tokenizer.encode(cont)];
  let contStart = ctx.length;
  const contLength = tokens.length - contStart;
  if (contLength < 1) throw new Error("empty continuation");
  if (contLength > maxLength - 1) {
    throw new Error(`a continuation of ${contLength} tokens does not fit a window of ${maxLength}`);
  }
  const drop = Math.max(0, tokens.length - maxLength);
  contStart -= drop;
  return { tokens: tokens.slice(drop), contStart };
}

/**
 * Tokenizes the multiple-choice set. `choiceChars` is each ending's length in
 * characters (code points), the harness's `acc_norm` denominator.
 *
 * @example
 * ```ts
 * import type { Tokenizer } from "../../data/tokenizer/types.ts";
 * import type { ItemSet, McItem } from "./types.ts";
 * declare const set: ItemSet<McItem>;
 * declare const tokenizer: Tokenizer;
 * const task = prepareMc(set, tokenizer, 256);
 * ```
 */
export function prepareMc(set: ItemSet<McItem>, tokenizer: Tokenizer, maxLength: number): PreparedTask {
  return {
    name: set.task,
    kind: "multiple_choice",
    itemsChecksum: set.checksum,
    items: set.items.map((item) => ({
      choices: item.endings.map((e) => encodePair(tokenizer, item.context, ` ${e}`, maxLength)),
      label: item.label,
      choiceChars: item.endings.map((e) => [...e].length),
    })),
  };
}

/**
 * Tokenizes the last-word set.
 *
 * @example
 * ```ts
 * import type { Tokenizer } from "../../data/tokenizer/types.ts";
 * import type { ItemSet, LastWordItem } from "./types.ts";
 * declare const set: ItemSet<LastWordItem>;
 * declare const tokenizer: Tokenizer;
 * const task = prepareLastWord(set, tokenizer, 256);
 * ```
 */
export function prepareLastWord(set: ItemSet<LastWordItem>, tokenizer: Tokenizer, maxLength: number): PreparedTask {
  return {
    name: set.task,
    kind: "greedy",
    itemsChecksum: set.checksum,
    items: set.items.map((item) => ({ request: encodePair(tokenizer, item.context, ` ${item.target}`, maxLength) })),
  };
}
