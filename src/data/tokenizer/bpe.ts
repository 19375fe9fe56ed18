/**
 * Byte-level BPE tokenizer, compatible with Hugging Face's `tokenizer.json`
 * (ByteLevel pre-tokenizer and decoder, BPE model).
 * @module
 */
import { writeJsonAtomic } from "../../util/atomic.ts";
import { BYTE_TO_CHAR, preTokenize, splitSpecials, tokenStringToBytes } from "./byte_level.ts";
import { countWords, trainBpeMerges } from "./_bpe_train.ts";
import { Heap } from "./_heap.ts";
import { byteLevelBpeJson } from "./write_json.ts";
import { type HfTokenizerJson, SPECIAL_TOKENS, type SpecialIds, type Tokenizer } from "./types.ts";

const encoder = new TextEncoder();
/** Words cached per tokenizer before the cache is cleared (bounds memory). */
const WORD_CACHE_LIMIT = 200_000;
/** Longer pre-tokens are not cached (rare, and would bloat the cache). */
const WORD_CACHE_MAX_LENGTH = 64;

/**
 * Byte-level BPE. Ids: bytes `[0, 256)`, one per merge, then `<|pad|>`,
 * `<|bos|>`, `<|eos|>`.
 *
 * @example
 * ```ts
 * const tok = BpeTokenizer.train(["the cat sat on the mat"], { vocabSize: 262, minFrequency: 1 });
 * tok.decode(tok.encode("the mat")); // "the mat"
 * ```
 */
export class BpeTokenizer implements Tokenizer {
  readonly kind = "bpe" as const;
  readonly vocabSize: number;
  readonly special: SpecialIds;
  /** Merges as id pairs; merge `r` makes id `256 + r`. */
  readonly merges: ReadonlyArray<readonly [number, number]>;
  readonly #ranks = new Map<number, number>();
  readonly #bytes: Uint8Array[] = [];
  #cache = new Map<string, number[]>();

  constructor(merges: ReadonlyArray<readonly [number, number]>) {
    this.merges = merges;
    for (let b = 0; b < 256; b++) this.#bytes.push(Uint8Array.of(b));
    merges.forEach(([a, b], r) => {
      if (a >= 256 + r || b >= 256 + r) throw new Error(`merge ${r} uses an id not yet defined`);
      this.#ranks.set(a * 65536 + b, r);
      const joined = new Uint8Array(this.#bytes[a].length + this.#bytes[b].length);
      joined.set(this.#bytes[a]);
      joined.set(this.#bytes[b], this.#bytes[a].length);
      this.#bytes.push(joined);
    });
    const n = 256 + merges.length;
    this.vocabSize = n + SPECIAL_TOKENS.length;
    this.special = { pad: n, bos: n + 1, eos: n + 2 };
  }

  /**
   * Trains on texts (pre-tokenized as GPT-2 does) to exactly `vocabSize` ids, specials included.
   * Throws if the text has too few pairs seen `minFrequency` (default 2) times.
   */
  static train(texts: Iterable<string>, options: { vocabSize: number; minFrequency?: number }): BpeTokenizer {
    const merges = options.vocabSize - 256 - SPECIAL_TOKENS.length;
    if (!Number.isInteger(merges) || merges < 0) {
      throw new RangeError(`BPE vocabulary must be an integer ≥ ${256 + SPECIAL_TOKENS.length}`);
    }
    return new BpeTokenizer(trainBpeMerges(countWords(texts), { merges, minFrequency: options.minFrequency }));
  }

  /** Loads a `tokenizer.json` object written by {@linkcode BpeTokenizer.toHuggingFace}. */
  static fromHuggingFace(json: unknown): BpeTokenizer {
    return new BpeTokenizer(mergesFromHuggingFace(json));
  }

  /** Reads a `tokenizer.json` file. */
  static async load(path: string): Promise<BpeTokenizer> {
    return BpeTokenizer.fromHuggingFace(JSON.parse(await Deno.readTextFile(path)));
  }

  /** Writes `tokenizer.json` atomically (e.g. next to a checkpoint). */
  async save(path: string): Promise<void> {
    await writeJsonAtomic(path, this.toHuggingFace());
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const part of splitSpecials(text, SPECIAL_TOKENS)) {
      if (part.special) {
        out.push(256 + this.merges.length + SPECIAL_TOKENS.indexOf(part.text as typeof SPECIAL_TOKENS[number]));
        continue;
      }
      for (const word of preTokenize(part.text)) {
        const ids = this.#encodeWord(word);
        for (let i = 0; i < ids.length; i++) out.push(ids[i]);
      }
    }
    return out;
  }

  #encodeWord(word: string): number[] {
    const hit = this.#cache.get(word);
    if (hit) return hit;
    const ids = this.#merge(encoder.encode(word));
    if (word.length <= WORD_CACHE_MAX_LENGTH) {
      if (this.#cache.size >= WORD_CACHE_LIMIT) this.#cache = new Map();
      this.#cache.set(word, ids);
    }
    return ids;
  }

  /** Applies merges lowest rank first (leftmost on ties), like Hugging Face's BPE model. */
  #merge(bytes: Uint8Array): number[] {
    const n = bytes.length;
    if (n < 2) return Array.from(bytes);
    const sym = Int32Array.from(bytes);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap = new Heap<number>((x, y) => x < y);
    // Entries pack (rank, position) into one number: rank * 2^24 + position.
    const consider = (i: number) => {
      const j = next[i];
      if (j === -1) return;
      const r = this.#ranks.get(sym[i] * 65536 + sym[j]);
      if (r !== undefined) heap.push(r * 16777216 + i);
    };
    if (n >= 16777216) throw new RangeError("pre-token longer than 16 MiB");
    for (let i = 0; i + 1 < n; i++) consider(i);
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) {
      const r = Math.floor(e / 16777216);
      const i = e % 16777216;
      const j = next[i];
      if (!alive[i] || j === -1 || this.#ranks.get(sym[i] * 65536 + sym[j]) !== r) continue;
      sym[i] = 256 + r;
      alive[j] = 0;
      next[i] = next[j];
      if (next[j] !== -1) prev[next[j]] = i;
      if (prev[i] !== -1) consider(prev[i]);
      consider(i);
    }
    const out: number[] = [];
    for (let i = 0; i !== -1; i = next[i]) out.push(sym[i]);
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
    const n = 256 + this.merges.length;
    let out = "";
    let chunks: Uint8Array[] = [];
    const flush = () => {
      const total = chunks.reduce((s, c) => s + c.length, 0);
      const bytes = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        bytes.set(c, at);
        at += c.length;
      }
      out += decoder.decode(bytes);
      chunks = [];
    };
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= 0 && id < n) chunks.push(this.#bytes[id]);
      else if (id >= n && id < this.vocabSize) {
        flush();
        out += SPECIAL_TOKENS[id - n];
      } else throw new RangeError(`token id ${id} is outside the vocabulary (${this.vocabSize})`);
    }
    flush();
    return out;
  }

  byteLength(id: number): number {
    if (id < 0 || id >= this.vocabSize) throw new RangeError(`token id ${id} is outside the vocabulary`);
    return id < 256 + this.merges.length ? this.#bytes[id].length : 1;
  }

  /** The bytes a (non-special) token stands for. */
  tokenBytes(id: number): Uint8Array {
    if (id < 0 || id >= 256 + this.merges.length) throw new RangeError(`token id ${id} has no bytes`);
    return this.#bytes[id];
  }

  toHuggingFace(): HfTokenizerJson {
    return byteLevelBpeJson(this.merges);
  }
}

function fail(why: string): never {
  throw new Error(`tokenizer.json is not a byte-level BPE written by this project: ${why}`);
}

/**
 * Reads back the merges (as id pairs) of a `tokenizer.json` in this
 * project's layout, checking every id; accepts both merge forms
 * ("a b" strings and [a, b] pairs).
 *
 * @example
 * ```ts
 * import { byteLevelBpeJson } from "./write_json.ts";
 * const merges = mergesFromHuggingFace(byteLevelBpeJson([[116, 104]])); // [[116, 104]]
 * ```
 */
export function mergesFromHuggingFace(json: unknown): [number, number][] {
  const j = json as Partial<HfTokenizerJson> & { model?: { merges?: unknown[] } };
  if (j?.model?.type !== "BPE") fail("model.type is not BPE");
  if (j.pre_tokenizer?.type !== "ByteLevel" || j.pre_tokenizer.add_prefix_space) {
    fail("pre_tokenizer is not ByteLevel without prefix space");
  }
  const vocab = j.model.vocab ?? fail("model.vocab missing");
  for (let b = 0; b < 256; b++) if (vocab[BYTE_TO_CHAR[b]] !== b) fail(`byte ${b} is not id ${b}`);
  const merges: [number, number][] = [];
  for (const [r, m] of (j.model.merges ?? []).entries()) {
    const pair = typeof m === "string" ? m.split(" ") : m;
    if (!Array.isArray(pair) || pair.length !== 2) fail(`merge ${r} is malformed`);
    const [left, right] = pair as string[];
    const a = vocab[left];
    const b = vocab[right];
    if (a === undefined || b === undefined || vocab[left + right] !== 256 + r) fail(`merge ${r} ('${left} ${right}')`);
    if (!tokenStringToBytes(left + right)) fail(`merge ${r} has characters outside the byte alphabet`);
    merges.push([a, b]);
  }
  if (Object.keys(vocab).length !== 256 + merges.length) fail("vocab has entries that no merge makes");
  const added = j.added_tokens ?? [];
  SPECIAL_TOKENS.forEach((content, i) => {
    const t = added.find((a) => a.content === content);
    if (!t || t.id !== 256 + merges.length + i) fail(`special token ${content} missing or misplaced`);
  });
  return merges;
}
