/**
 * Byte-level BPE training (the algorithm of Sennrich et al. with GPT-2's
 * byte alphabet and pre-tokenizer): count pre-tokens, then repeatedly merge
 * the most frequent adjacent pair, updating only the words that contain it.
 * Ties go to the smallest (left id, right id), as in Hugging Face's trainer,
 * so training is deterministic.
 * @module
 */
import { preTokenize } from "./byte_level.ts";
import { Heap } from "./_heap.ts";

/** Options of {@linkcode trainBpeMerges}. */
export interface BpeTrainOptions {
  /** Number of merges to learn. */
  merges: number;
  /** A pair seen fewer times than this is never merged (default 2). */
  minFrequency?: number;
}

const key = (a: number, b: number) => a * 65536 + b;

/** Thrown when the text has too few frequent pairs for the requested vocabulary. */
export class BpeTrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BpeTrainingError";
  }
}

/**
 * Counts pre-tokens of the texts.
 *
 * @example
 * ```ts
 * countWords(["a b a"]); // Map { "a" => 1, " b" => 1, " a" => 1 }
 * ```
 */
export function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of preTokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** Each adjacent pair's count over all words (weighted by word counts), and the words it occurs in. */
function indexPairs(
  words: readonly Int32Array[],
  counts: readonly number[],
): { pairCount: Map<number, number>; pairWords: Map<number, number[]> } {
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  words.forEach((w, wi) => {
    for (let i = 0; i + 1 < w.length; i++) {
      const k = key(w[i], w[i + 1]);
      pairCount.set(k, (pairCount.get(k) ?? 0) + counts[wi]);
      const list = pairWords.get(k);
      if (list) list.push(wi);
      else pairWords.set(k, [wi]);
    }
  });
  return { pairCount, pairWords };
}

/**
 * Learns merges from pre-token counts. Merge `r` creates id `256 + r`.
 *
 * @example
 * ```ts
 * trainBpeMerges(countWords(["the then there"]), { merges: 2 }); // [[104, 101], [116, 256]] ("he", "the")
 * ```
 */
export function trainBpeMerges(wordCounts: Map<string, number>, options: BpeTrainOptions): [number, number][] {
  const minFrequency = options.minFrequency ?? 2;
  if (256 + options.merges > 65536) throw new RangeError("at most 65280 merges");
  const encoder = new TextEncoder();
  const words: Int32Array[] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    words.push(Int32Array.from(encoder.encode(word)));
    counts.push(count);
  }

  const { pairCount, pairWords } = indexPairs(words, counts);

  type Entry = { k: number; count: number };
  const heap = new Heap<Entry>((x, y) => x.count > y.count || (x.count === y.count && x.k < y.k));
  for (const [k, count] of pairCount) heap.push({ k, count });

  const merges: [number, number][] = [];
  const stamp = new Int32Array(words.length).fill(-1);
  while (merges.length < options.merges) {
    const top = heap.pop();
    if (!top) break;
    if (pairCount.get(top.k) !== top.count) continue; // stale entry
    if (top.count < minFrequency) break;
    const a = Math.floor(top.k / 65536);
    const b = top.k % 65536;
    const z = 256 + merges.length;
    merges.push([a, b]);

    const before = new Map<number, number>();
    const adjust = (k: number, delta: number) => {
      const old = pairCount.get(k) ?? 0;
      if (!before.has(k)) before.set(k, old);
      pairCount.set(k, old + delta);
    };
    for (const wi of pairWords.get(top.k) ?? []) {
      if (stamp[wi] === z) continue; // listed twice
      stamp[wi] = z;
      const w = words[wi];
      let found = false;
      for (let i = 0; i + 1 < w.length; i++) if (w[i] === a && w[i + 1] === b) found = true;
      if (!found) continue;
      const c = counts[wi];
      for (let i = 0; i + 1 < w.length; i++) adjust(key(w[i], w[i + 1]), -c);
      const merged: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          merged.push(z);
          i++;
        } else merged.push(w[i]);
      }
      const nw = Int32Array.from(merged);
      words[wi] = nw;
      for (let i = 0; i + 1 < nw.length; i++) {
        const k = key(nw[i], nw[i + 1]);
        adjust(k, c);
        if (nw[i] === z || nw[i + 1] === z) {
          const list = pairWords.get(k);
          if (list) list.push(wi);
          else pairWords.set(k, [wi]);
        }
      }
    }
    pairWords.delete(top.k);
    for (const [k, old] of before) {
      const now = pairCount.get(k)!;
      if (now === 0) pairCount.delete(k);
      else if (now !== old) heap.push({ k, count: now });
    }
  }
  if (merges.length < options.merges) {
    throw new BpeTrainingError(
      `the training text yields only ${merges.length} merges seen at least ${minFrequency} times ` +
        `(asked for ${options.merges}); use a smaller vocabulary or more text`,
    );
  }
  return merges;
}
