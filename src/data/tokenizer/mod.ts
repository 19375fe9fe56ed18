/**
 * Tokenizers: ours, byte-level (default) and byte-level BPE, written as
 * Hugging Face `tokenizer.json` (`write_json.ts`); and any `tokenizer.json`
 * file, read and encoded by `@huggingface/tokenizers` (`read_json.ts`).
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "./mod.ts";
 * const tok = await loadTokenizer("byte");
 * tok.encode("hi"); // [104, 105]
 * ```
 * @module
 */
export {
  type HfAddedToken,
  type HfTokenizerJson,
  SPECIAL_TOKENS,
  type SpecialIds,
  type Tokenizer,
  type TokenizerSpec,
} from "./types.ts";
export { BYTE_VOCAB_SIZE, ByteTokenizer } from "./byte.ts";
export { BpeTokenizer, mergesFromHuggingFace } from "./bpe.ts";
export { BpeTrainingError } from "./_bpe_train.ts";
export { byteLevelBpeJson } from "./write_json.ts";
export { BYTE_TO_CHAR, CHAR_TO_BYTE, GPT2_PATTERN, preTokenize } from "./byte_level.ts";
export {
  BPE_TRAINER_VERSION,
  BPE_VOCAB_RANGE,
  loadTokenizer,
  readTokenizerFile,
  tokenizerId,
  vocabSizeFor,
} from "./load.ts";
export { HfFileTokenizer } from "./read_json.ts";
