/**
 * Tokenizers: byte-level (default) and byte-level BPE, both readable by
 * Hugging Face tokenizers through their `tokenizer.json`.
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "./mod.ts";
 * const tok = await loadTokenizer("byte");
 * tok.encode("hi"); // [104, 105]
 * ```
 * @module
 */
export { SPECIAL_TOKENS, type SpecialIds, type Tokenizer, type TokenizerSpec } from "./types.ts";
export { BYTE_VOCAB_SIZE, ByteTokenizer } from "./byte.ts";
export { BpeTokenizer } from "./bpe.ts";
export { BpeTrainingError } from "./_bpe_train.ts";
export { byteLevelBpeJson, type HfAddedToken, type HfTokenizerJson, mergesFromHuggingFace } from "./huggingface.ts";
export { BYTE_TO_CHAR, CHAR_TO_BYTE, GPT2_PATTERN, preTokenize } from "./byte_level.ts";
export {
  BPE_TRAINER_VERSION,
  BPE_VOCAB_RANGE,
  loadTokenizer,
  readTokenizerFile,
  tokenizerId,
  vocabSizeFor,
} from "./load.ts";
export { HfFileTokenizer } from "./hf_file.ts";
