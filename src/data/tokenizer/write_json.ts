/**
 * Writes our tokenizers (byte and byte-level BPE) as Hugging Face
 * `tokenizer.json` (the GPT-2 layout). Ids are laid out as `[0, 256)` bytes
 * in byte order, then one id per merge in merge order, then the special
 * tokens as added tokens.
 * @module
 */
import { BYTE_TO_CHAR } from "./byte_level.ts";
import { type HfTokenizerJson, SPECIAL_TOKENS } from "./types.ts";

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
