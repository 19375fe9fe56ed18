/**
 * The tokenizer contract used by streams, evaluation and checkpoints.
 * @module
 */
import type { HfTokenizerJson } from "./huggingface.ts";

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
 * const tok: Tokenizer = new ByteTokenizer();
 * tok.decode(tok.encode("héllo")); // "héllo"
 * ```
 */
export interface Tokenizer {
  /** "byte" or "bpe". */
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

/** How a suite names a tokenizer: `"byte"` or `{ bpe: vocabSize }`. */
export type TokenizerSpec = "byte" | { bpe: number } | { huggingface: string };
