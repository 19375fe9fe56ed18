/**
 * Tokenizing task items the way lm-evaluation-harness does: encode
 * context + continuation together and take the continuation as what follows
 * the context's own encoding; cut the sequence on the left to fit the model.
 * @module
 */
import type { Tokenizer } from "../../data/tokenizer/types.ts";
import type { ItemSet, McItem, PreparedTask, Request } from "./types.ts";

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
 * Tokenizes a multiple-choice set (`mc4` or `lastword4`). `choiceChars` is each ending's length in characters (code
 * points), the harness's `acc_norm` denominator; `chance` is a uniform guess's expected accuracy.
 *
 * @example
 * ```ts
 * import type { Tokenizer } from "../../data/tokenizer/types.ts";
 * import type { ItemSet, McItem } from "./types.ts";
 * declare const set: ItemSet<McItem>;
 * declare const tokenizer: Tokenizer;
 * const task = prepareMc(set, tokenizer, 256);
 * task.chance; // 0.25
 * ```
 */
export function prepareMc(set: ItemSet<McItem>, tokenizer: Tokenizer, maxLength: number): PreparedTask {
  const n = set.items.length;
  return {
    name: set.task,
    itemsChecksum: set.checksum,
    chance: n > 0 ? set.items.reduce((a, item) => a + 1 / item.endings.length, 0) / n : NaN,
    items: set.items.map((item) => ({
      choices: item.endings.map((e) => encodePair(tokenizer, item.context, ` ${e}`, maxLength)),
      label: item.label,
      choiceChars: item.endings.map((e) => [...e].length),
    })),
  };
}
