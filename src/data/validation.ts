/**
 * Fixed validation windows per source: the same tokens for every run, spread
 * evenly over the whole validation split (so every genre is in them), capped
 * by a token budget.
 * @module
 */
import type { Tokenizer } from "./tokenizer/types.ts";
import type { TokenStream } from "./stream.ts";
import { sourceChecksum } from "./training.ts";
import { UsageError } from "../util/errors.ts";

/** Validation windows of one source, ready for a scorer. */
export interface ValidationSet {
  source: string;
  /** Windows of `seqLen` tokens; positions 1.. of each are scored. */
  windows: number[][];
  /** Tokens scored: Σ (window length − 1). */
  scoredTokens: number;
  /** UTF-8 bytes those scored tokens stand for (for bits per byte). */
  scoredBytes: number;
  /** SHA-256 of the split's documents (TokenStream.contentChecksum), recorded with every evaluation. */
  contentChecksum: string;
  /** Local sources: the files the text came from, with their SHA-256. */
  files?: Array<{ path: string; sha256: string }>;
}

/**
 * Cuts validation windows from a stream. Consecutive windows may not overlap
 * in scored tokens; each scores `seqLen − 1` tokens, and there are
 * `ceil(maxTokens / (seqLen − 1))` of them or as many as fit.
 *
 * @example
 * ```ts
 * import { tokenStream } from "./stream.ts";
 * import { ByteTokenizer } from "./tokenizer/byte.ts";
 * const tok = new ByteTokenizer();
 * const val = validationSet(await tokenStream("brown", "validation", tok), tok, { seqLen: 128, maxTokens: 16384 });
 * val.windows.length; // 130
 * ```
 */
export function validationSet(
  stream: TokenStream,
  tokenizer: Tokenizer,
  options: { seqLen: number; maxTokens: number },
): ValidationSet {
  const { seqLen, maxTokens } = options;
  if (!Number.isInteger(seqLen) || seqLen < 2) throw new RangeError("validation windows need ≥ 2 tokens");
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RangeError("validation token budget must be ≥ 1");
  const n = stream.tokens.length;
  const fit = Math.floor((n - 1) / (seqLen - 1));
  const count = Math.min(fit, Math.ceil(maxTokens / (seqLen - 1)));
  if (count < 1) {
    // Reachable from a suite naming a small local corpus: the user's input, so one line and exit 2.
    throw new UsageError(
      `the ${stream.source} validation split has ${n} tokens, fewer than one window of ${seqLen} (use more text)`,
    );
  }
  // Evenly spaced starts; spacing ≥ seqLen − 1, so scored positions never repeat.
  const span = n - seqLen;
  const windows: number[][] = [];
  let scoredBytes = 0;
  for (let i = 0; i < count; i++) {
    const start = count === 1 ? 0 : Math.floor((i * span) / (count - 1));
    const window = Array.from(stream.tokens.subarray(start, start + seqLen));
    for (let t = 1; t < window.length; t++) scoredBytes += tokenizer.byteLength(window[t]);
    windows.push(window);
  }
  return {
    source: stream.source,
    windows,
    scoredTokens: count * (seqLen - 1),
    scoredBytes,
    ...sourceChecksum(stream),
  };
}
