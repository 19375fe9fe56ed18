/**
 * The default tokenizer: one token per UTF-8 byte, plus the specials.
 * @module
 */
import { splitSpecials } from "./byte_level.ts";
import { byteLevelBpeJson } from "./write_json.ts";
import { type HfTokenizerJson, SPECIAL_TOKENS, type SpecialIds, type Tokenizer } from "./types.ts";

/** Vocabulary of the byte tokenizer: 256 bytes + 3 specials. */
export const BYTE_VOCAB_SIZE: number = 256 + SPECIAL_TOKENS.length;

const encoder = new TextEncoder();

/**
 * Ids 0-255 are bytes, 256 `<|pad|>`, 257 `<|bos|>`, 258 `<|eos|>`.
 * Its `tokenizer.json` is a BPE with no merges, so Hugging Face tokenizers
 * load it and give the same ids.
 *
 * @example
 * ```ts
 * const tok = new ByteTokenizer();
 * tok.encode("hé"); // [104, 195, 169]
 * tok.decode([104, 195, 169]); // "hé"
 * ```
 */
export class ByteTokenizer implements Tokenizer {
  readonly kind = "byte" as const;
  readonly vocabSize: number = BYTE_VOCAB_SIZE;
  readonly special: SpecialIds = { pad: 256, bos: 257, eos: 258 };

  encode(text: string): number[] {
    const out: number[] = [];
    for (const part of splitSpecials(text, SPECIAL_TOKENS)) {
      if (part.special) out.push(256 + SPECIAL_TOKENS.indexOf(part.text as typeof SPECIAL_TOKENS[number]));
      else for (const b of encoder.encode(part.text)) out.push(b);
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
    let out = "";
    let bytes: number[] = [];
    const flush = () => {
      out += decoder.decode(new Uint8Array(bytes));
      bytes = [];
    };
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id < 256) bytes.push(id);
      else if (id < this.vocabSize) {
        flush();
        out += SPECIAL_TOKENS[id - 256];
      } else throw new RangeError(`token id ${id} is outside the byte vocabulary (${this.vocabSize})`);
    }
    flush();
    return out;
  }

  byteLength(id: number): number {
    if (id < 0 || id >= this.vocabSize) throw new RangeError(`token id ${id} is outside the vocabulary`);
    return 1;
  }

  toHuggingFace(): HfTokenizerJson {
    return byteLevelBpeJson([]);
  }
}
