/**
 * Hugging Face `tokenizer.json` for byte-level BPE (the GPT-2 layout):
 * writing ours, and reading them back. Ids are laid out as
 * `[0, 256)` bytes in byte order, then one id per merge in merge order,
 * then the special tokens as added tokens.
 * @module
 */
import { BYTE_TO_CHAR, tokenStringToBytes } from "./byte_level.ts";
import { SPECIAL_TOKENS } from "./types.ts";

/** An entry of `added_tokens`. */
export interface HfAddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** The subset of Hugging Face's `tokenizer.json` this project writes. */
export interface HfTokenizerJson {
  version: "1.0";
  truncation: null;
  padding: null;
  added_tokens: HfAddedToken[];
  normalizer: null;
  pre_tokenizer: { type: "ByteLevel"; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  post_processor: null;
  decoder: { type: "ByteLevel"; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  model: {
    type: "BPE";
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    vocab: Record<string, number>;
    /** "left right" strings: the older form, which every version of the library reads. */
    merges: string[];
  };
}

/**
 * Builds `tokenizer.json` for byte-level BPE from merges given as id pairs
 * (merge `r` creates id `256 + r`).
 *
 * @example
 * ```ts
 * const json = byteLevelBpeJson([[116, 104]]); // "t" + "h" → id 256 "th"
 * json.model.vocab["th"]; // 256
 * json.added_tokens[2].content; // "<|eos|>" (id 259)
 * ```
 */
export function byteLevelBpeJson(merges: ReadonlyArray<readonly [number, number]>): HfTokenizerJson {
  const strings: string[] = [...BYTE_TO_CHAR];
  const vocab: Record<string, number> = {};
  strings.forEach((s, id) => (vocab[s] = id));
  const mergeStrings: string[] = [];
  for (const [a, b] of merges) {
    if (a >= strings.length || b >= strings.length) throw new Error(`merge (${a}, ${b}) uses an id not yet defined`);
    const token = strings[a] + strings[b];
    if (token in vocab) throw new Error(`merge (${a}, ${b}) makes '${token}', which already exists`);
    vocab[token] = strings.length;
    strings.push(token);
    mergeStrings.push(`${strings[a]} ${strings[b]}`);
  }
  const flags = { single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, i) => ({ id: strings.length + i, content, ...flags })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: mergeStrings,
    },
  };
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
