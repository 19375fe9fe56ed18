/**
 * The LAMBADA-style task from held-out text, as a four-way choice
 * ("lastword4"): a passage up to the last word of a sentence, and four words
 * of the same byte length that could end it, one of them the true one. A
 * greedy exact-match of the word (LAMBADA's scoring) sits at zero for every
 * model at the sizes a CPU trains, and the passages that fit a short window
 * rarely repeat the word, so the task asks which word fits instead: it has a
 * chance level (1/4) and as many items as the text has sentence-final words.
 * @module
 */
import { Rng } from "../../util/rng.ts";
import type { Document } from "../../data/types.ts";
import { contextStart, sentenceSpans, type Span, utf8Length } from "./_text.ts";
import type { McItem } from "./types.ts";

/** Bump when item building changes. */
export const LASTWORD_VERSION = 2;

/** Longest word, in bytes, in a wide window. */
const MAX_WORD_BYTES = 24;

const STOPWORDS = new Set(
  ("that this with from have were they their there been would which what when will your them than then into " +
    "some more also only other very about could should these those such said just over most made like even much " +
    "many well back after where while being each here does done upon must shall might").split(" "),
);

/** What keeps a last-word item inside the model's window. */
export interface LastWordLimits {
  /** Most UTF-8 bytes of a word (scored as " " + word). */
  wordBytes: number;
  /** Most UTF-8 bytes of the passage before it. */
  contextBytes: number;
}

/**
 * Limits for a model window of `seqLen` tokens (every token is at least one byte, so byte limits bound tokens).
 *
 * @example
 * ```ts
 * lastwordLimits(128); // { wordBytes: 24, contextBytes: 102 }
 * ```
 */
export function lastwordLimits(seqLen: number): LastWordLimits {
  const wordBytes = Math.min(MAX_WORD_BYTES, Math.floor(seqLen / 4));
  return { wordBytes, contextBytes: Math.min(600, seqLen - 2 - wordBytes) };
}

interface Candidate {
  doc: Document;
  docIndex: number;
  sentences: Span[];
  wordStart: number;
  word: string;
}

function candidatesOf(docs: Document[], limits: LastWordLimits): Candidate[] {
  const out: Candidate[] = [];
  docs.forEach((doc, docIndex) => {
    const sentences = sentenceSpans(doc.text);
    for (const sentence of sentences) {
      const m = /(?<=\s)([A-Za-z]+)["')\]]*[.!?]*["')\]]*$/.exec(doc.text.slice(sentence.start, sentence.end));
      if (!m) continue;
      const word = m[1];
      if (word.length < 4 || utf8Length(word) > limits.wordBytes || STOPWORDS.has(word.toLowerCase())) continue;
      out.push({ doc, docIndex, sentences, wordStart: sentence.start + m.index, word });
    }
  });
  return out;
}

/**
 * Builds up to `n` items from documents of one source (its test split). Each item is a group of four
 * sentence-final words of the same byte length from four documents; which of the four is the true word (the one
 * whose passage is the context) is drawn uniformly within the group, so a model that ignores the context scores
 * 1/4 in expectation, however it ranks words on their own.
 *
 * @example
 * ```ts
 * import { loadCorpus } from "../../data/corpus.ts";
 * const brown = await loadCorpus("brown");
 * const items = buildLastWordItems("brown", brown.splits.test, 100, 0, lastwordLimits(128));
 * items[0].endings[items[0].label]; // e.g. "jury"
 * ```
 */
export function buildLastWordItems(
  source: string,
  docs: Document[],
  n: number,
  seed: number,
  limits: LastWordLimits,
): McItem[] {
  const rng = Rng.derive(seed, `lastword4/${source}`);
  if (limits.contextBytes < 8) return [];
  const candidates = candidatesOf(docs, limits);
  const byLength = new Map<number, Candidate[]>();
  for (const c of candidates) {
    const bucket = byLength.get(utf8Length(c.word));
    if (bucket) bucket.push(c);
    else byLength.set(utf8Length(c.word), [c]);
  }
  const used = new Set<Candidate>();
  const items: McItem[] = [];
  for (const first of rng.shuffle([...candidates])) {
    if (items.length >= n) break;
    const group = [first];
    for (const c of rng.shuffle([...byLength.get(utf8Length(first.word))!])) {
      if (group.length === 4) break;
      if (group.some((g) => g.docIndex === c.docIndex || g.word === c.word)) continue;
      group.push(c);
    }
    if (group.length < 4) continue;
    const label = rng.int(4);
    const truth = group[label];
    if (used.has(truth)) continue;
    const text = truth.doc.text;
    const from = contextStart(
      text,
      Math.max(0, truth.wordStart - 4 * limits.contextBytes),
      truth.wordStart,
      limits.contextBytes,
      truth.sentences,
    );
    const context = text.slice(from, truth.wordStart).trimEnd();
    if (context === "") continue;
    used.add(truth);
    items.push({ id: `${truth.doc.id}#${truth.wordStart}`, source, context, endings: group.map((g) => g.word), label });
  }
  return items;
}
