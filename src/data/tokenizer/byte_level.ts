/**
 * GPT-2's byte-level conventions, shared with Hugging Face's ByteLevel
 * pre-tokenizer and decoder: a printable character per byte, and the regex
 * that splits text into words before BPE.
 * @module
 */

function buildByteToChar(): string[] {
  const chars: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return chars;
}

/**
 * The character standing for each byte (GPT-2 `bytes_to_unicode`): printable
 * Latin-1 bytes map to themselves, the rest to U+0100 upward (space → "Ġ").
 *
 * @example
 * ```ts
 * BYTE_TO_CHAR[32]; // "Ġ"
 * BYTE_TO_CHAR[65]; // "A"
 * ```
 */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/**
 * Inverse of {@linkcode BYTE_TO_CHAR}.
 *
 * @example
 * ```ts
 * CHAR_TO_BYTE.get("Ġ"); // 32
 * ```
 */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/**
 * GPT-2's pre-tokenization pattern, as Hugging Face's ByteLevel pre-tokenizer
 * uses it (`use_regex: true`).
 *
 * @example
 * ```ts
 * "Hello  world!".match(GPT2_PATTERN); // ["Hello", " ", " world", "!"]
 * ```
 */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Splits text into pre-tokens (the concatenation gives back the text).
 *
 * @example
 * ```ts
 * preTokenize("I'll go"); // ["I", "'ll", " go"]
 * ```
 */
export function preTokenize(text: string): string[] {
  return text.match(GPT2_PATTERN) ?? [];
}

/**
 * A token's byte sequence as its byte-level string.
 *
 * @example
 * ```ts
 * bytesToTokenString(new Uint8Array([32, 116])); // "Ġt"
 * ```
 */
export function bytesToTokenString(bytes: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_CHAR[bytes[i]];
  return s;
}

/**
 * A byte-level token string back to its bytes, or null if it has a character
 * outside the byte alphabet.
 *
 * @example
 * ```ts
 * tokenStringToBytes("Ġt"); // Uint8Array [32, 116]
 * ```
 */
export function tokenStringToBytes(token: string): Uint8Array | null {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = CHAR_TO_BYTE.get(token[i]);
    if (b === undefined) return null;
    out[i] = b;
  }
  return out;
}

/**
 * Splits text around special-token strings, so specials map to their ids
 * the way Hugging Face's added tokens do.
 *
 * @example
 * ```ts
 * splitSpecials("a<|eos|>b", ["<|eos|>"]); // ["a", "<|eos|>", "b"] with flags
 * ```
 */
export function splitSpecials(text: string, specials: readonly string[]): { text: string; special: boolean }[] {
  const parts: { text: string; special: boolean }[] = [];
  let start = 0;
  let i = text.indexOf("<|");
  while (i !== -1) {
    const hit = specials.find((s) => text.startsWith(s, i));
    if (hit) {
      if (i > start) parts.push({ text: text.slice(start, i), special: false });
      parts.push({ text: hit, special: true });
      start = i + hit.length;
      i = text.indexOf("<|", start);
    } else {
      i = text.indexOf("<|", i + 1);
    }
  }
  if (start < text.length) parts.push({ text: text.slice(start), special: false });
  return parts;
}
