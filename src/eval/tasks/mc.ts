/**
 * The HellaSwag-style task from held-out text: a context cut mid-sentence,
 * the sentence's true ending, and three endings of the same byte length cut
 * from sentences of other documents of the same source.
 * @module
 */
import { Rng } from "../../util/rng.ts";
import type { Document } from "../../data/types.ts";
import { contextStart, sentenceSpans, type Span, utf8Length, wordSpans } from "./_text.ts";
import type { McItem } from "./types.ts";

/** Bump when item building changes. */
export const MC_VERSION = 1;

/** Limits that keep every item inside the model's window. */
export interface ItemLimits {
  /** Most UTF-8 bytes of " " + ending (an ending is at most this many tokens). */
  continuationBytes: number;
  /** Most UTF-8 bytes of the context. */
  contextBytes: number;
}

/**
 * Item limits for a model window of `seqLen` tokens: every token is at least
 * one byte, so byte limits bound token counts for any byte-level tokenizer.
 *
 * @example
 * ```ts
 * mcLimits(64); // { continuationBytes: 32, contextBytes: 31 }
 * ```
 */
export function mcLimits(seqLen: number): ItemLimits {
  const continuationBytes = Math.min(150, Math.floor(seqLen / 2));
  return { continuationBytes, contextBytes: Math.min(400, seqLen - 1 - continuationBytes) };
}

interface Candidate {
  doc: Document;
  docIndex: number;
  sentence: Span;
  sentences: Span[];
  cut: number;
  ending: string;
  endingBytes: number;
}

function candidatesOf(docs: Document[], limits: ItemLimits, rng: Rng): Candidate[] {
  const out: Candidate[] = [];
  docs.forEach((doc, docIndex) => {
    const sentences = sentenceSpans(doc.text);
    for (const sentence of sentences) {
      const words = wordSpans(doc.text, sentence);
      // ≥ 2 words before the cut and ≥ 2 after, with the ending inside the byte limit.
      const cuts: number[] = [];
      for (let c = 2; c <= words.length - 2; c++) {
        if (1 + utf8Length(doc.text.slice(words[c].start, sentence.end)) <= limits.continuationBytes) cuts.push(c);
      }
      if (cuts.length === 0) continue;
      const c = cuts[rng.int(cuts.length)];
      const ending = doc.text.slice(words[c].start, sentence.end);
      out.push({
        doc,
        docIndex,
        sentence,
        sentences,
        cut: words[c].start,
        ending,
        endingBytes: 1 + utf8Length(ending),
      });
    }
  });
  return out;
}

/**
 * Builds up to `n` items from documents of one source (its test split).
 * All four endings of an item have the same UTF-8 length, and distractors
 * are drawn uniformly from the other documents' endings of that length, so
 * the endings are exchangeable without the context: length gives nothing
 * away, and a model that ignores the context scores 1/4 in expectation.
 *
 * @example
 * ```ts
 * import { loadCorpus } from "../../data/corpus.ts";
 * const brown = await loadCorpus("brown");
 * const items = buildMcItems("brown", brown.splits.test, 100, 0, mcLimits(256));
 * items[0].endings[items[0].label]; // the true ending
 * ```
 */
export function buildMcItems(
  source: string,
  docs: Document[],
  n: number,
  seed: number,
  limits: ItemLimits,
): McItem[] {
  const rng = Rng.derive(seed, `mc4/${source}`);
  const candidates = candidatesOf(docs, limits, rng);
  const byLength = new Map<number, Candidate[]>();
  for (const c of candidates) {
    const bucket = byLength.get(c.endingBytes);
    if (bucket) bucket.push(c);
    else byLength.set(c.endingBytes, [c]);
  }
  const order = rng.shuffle(candidates.map((_, i) => i));
  const items: McItem[] = [];
  for (const i of order) {
    if (items.length >= n) break;
    const truth = candidates[i];
    const from = contextStart(
      truth.doc.text,
      Math.max(0, truth.cut - 4 * limits.contextBytes),
      truth.cut,
      limits.contextBytes,
      truth.sentences,
    );
    const context = truth.doc.text.slice(from, truth.cut).trimEnd();
    if (context === "") continue;
    const pool = rng.shuffle(
      byLength.get(truth.endingBytes)!.filter((d) => d.docIndex !== truth.docIndex && d.ending !== truth.ending),
    );
    const chosen: Candidate[] = [];
    for (const d of pool) {
      if (chosen.length === 3) break;
      if (chosen.some((c) => c.docIndex === d.docIndex || c.ending === d.ending)) continue;
      chosen.push(d);
    }
    if (chosen.length < 3) continue;
    const endings = [truth.ending, ...chosen.map((c) => c.ending)];
    const perm = rng.shuffle([0, 1, 2, 3]);
    items.push({
      id: `${truth.doc.id}#${truth.cut}`,
      source,
      context,
      endings: perm.map((p) => endings[p]),
      label: perm.indexOf(0),
    });
  }
  return items;
}
