/**
 * The LAMBADA-style task from held-out text: predict the last word of a
 * sentence, greedily. LAMBADA's passages were chosen by people so that the
 * word needs the wider context; here an item is kept only if its word
 * already occurs earlier in the context, outside the final sentence (as it
 * does for most LAMBADA targets), and is not a common function word — so it
 * is solvable from the context and tests its use. Not human-filtered.
 * @module
 */
import { Rng } from "../../util/rng.ts";
import type { Document } from "../../data/types.ts";
import { contextStart, sentenceSpans, utf8Length } from "./_text.ts";
import type { LastWordItem } from "./types.ts";

/** Bump when item building changes. */
export const LASTWORD_VERSION = 1;

/** Longest target word, in bytes. */
const MAX_TARGET_BYTES = 24;

const STOPWORDS = new Set(
  ("that this with from have were they their there been would which what when will your them than then into " +
    "some more also only other very about could should these those such said just over most made like even much " +
    "many well back after where while being each here does done upon must shall might").split(" "),
);

/**
 * Context budget for a model window of `seqLen` tokens (every token ≥ 1 byte).
 *
 * @example
 * ```ts
 * lastwordContextBytes(256); // 230
 * ```
 */
export function lastwordContextBytes(seqLen: number): number {
  return Math.min(600, seqLen - 2 - MAX_TARGET_BYTES);
}

/**
 * Builds up to `n` items from documents of one source.
 *
 * @example
 * ```ts
 * import { loadCorpus } from "../../data/corpus.ts";
 * const brown = await loadCorpus("brown");
 * const items = buildLastWordItems("brown", brown.splits.test, 100, 0, lastwordContextBytes(256));
 * items[0].target; // e.g. "jury"
 * ```
 */
export function buildLastWordItems(
  source: string,
  docs: Document[],
  n: number,
  seed: number,
  contextBytes: number,
): LastWordItem[] {
  const rng = Rng.derive(seed, `lastword/${source}`);
  const candidates: LastWordItem[] = [];
  if (contextBytes < 8) return [];
  for (const doc of docs) {
    const text = doc.text;
    const sentences = sentenceSpans(text);
    for (const sentence of sentences) {
      const m = /(?<=\s)([A-Za-z]+)["')\]]*[.!?]*["')\]]*$/.exec(text.slice(sentence.start, sentence.end));
      if (!m) continue;
      const target = m[1];
      if (target.length < 4 || utf8Length(target) > MAX_TARGET_BYTES || STOPWORDS.has(target.toLowerCase())) continue;
      const wordStart = sentence.start + m.index;
      const from = contextStart(text, Math.max(0, wordStart - 4 * contextBytes), wordStart, contextBytes, sentences);
      const before = text.slice(from, sentence.start);
      if (!new RegExp(`(^|[^A-Za-z])${target}([^A-Za-z]|$)`).test(before)) continue;
      const context = text.slice(from, wordStart).trimEnd();
      if (context === "") continue;
      candidates.push({ id: `${doc.id}#${wordStart}`, source, context, target });
    }
  }
  return rng.shuffle(candidates).slice(0, n);
}
