/**
 * The tokenizer contract used by streams, evaluation and checkpoints.
 * @module
 */
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
    /** "left right" strings: the form every version of the library reads (newer ones also read pairs). */
    merges: string[];
  };
}

/** Special tokens every tokenizer here has, in this order, after the ordinary tokens. */
export const SPECIAL_TOKENS = ["<|pad|>", "<|bos|>", "<|eos|>"] as const;

/** Ids of the special tokens. */
export interface SpecialIds {
  pad: number;
  bos: number;
  /** Separates documents in token streams. */
  eos: number;
}

/**
 * Text ↔ token ids.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "./byte.ts";
 * const tok: Tokenizer = new ByteTokenizer();
 * tok.decode(tok.encode("héllo")); // "héllo"
 * ```
 */
export interface Tokenizer {
  /** "byte" and "bpe": ours; "huggingface": any tokenizer.json, read by `@huggingface/tokenizers`. */
  readonly kind: "byte" | "bpe" | "huggingface";
  /** Number of ids, specials included (the model's embedding rows). */
  readonly vocabSize: number;
  readonly special: SpecialIds;
  /**
   * Encodes text. Special-token strings in the text become their ids, as in
   * Hugging Face tokenizers; lone surrogates are encoded as U+FFFD.
   */
  encode(text: string): number[];
  /** Decodes ids; invalid UTF-8 becomes U+FFFD; specials become their strings. */
  decode(ids: ArrayLike<number>): string;
  /** UTF-8 bytes a token stands for; 1 for specials (a document separator, like a newline). */
  byteLength(id: number): number;
  /** The Hugging Face `tokenizer.json` object. */
  toHuggingFace(): HfTokenizerJson;
}

/** How a suite names a tokenizer: `"byte"`, `{ bpe: vocabSize }` or `{ huggingface: "path/tokenizer.json" }`. */
export type TokenizerSpec = "byte" | { bpe: number } | { huggingface: string };
