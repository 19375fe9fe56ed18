/**
 * Any Hugging Face `tokenizer.json` (GPT-2's, Llama's, one you trained),
 * through the maintained `@huggingface/tokenizers` implementation. The model's
 * vocabulary is the file's (largest id + 1); document separators are its
 * end-of-text token; bits per byte count each token's own UTF-8 bytes
 * (byte-level alphabets, SentencePiece's `▁` and `<0xNN>` byte fallback).
 * @module
 */
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { UsageError } from "../../util/errors.ts";
import { tokenStringToBytes } from "./byte_level.ts";
import type { HfTokenizerJson, SpecialIds, Tokenizer } from "./types.ts";

/** End-of-text tokens of common tokenizers, in the order tried. */
const EOS = ["<|endoftext|>", "</s>", "<|end_of_text|>", "<|eos|>", "<eos>", "[SEP]"];
const BOS = ["<s>", "<|begin_of_text|>", "<|bos|>", "<bos>", "[CLS]"];
const PAD = ["<pad>", "<|pad|>", "[PAD]"];

interface Parsed {
  model?: { type?: string; vocab?: Record<string, number> | Array<[string, number]> };
  added_tokens?: Array<{ id: number; content: string; special?: boolean }>;
  pre_tokenizer?: { type?: string; pretokenizers?: Array<{ type?: string }> } | null;
  decoder?: { type?: string; decoders?: Array<{ type?: string }> } | null;
}

/** True when the tokenizer maps bytes to GPT-2's printable alphabet (ByteLevel pre-tokenizer or decoder). */
function isByteLevel(json: Parsed): boolean {
  const types = [json.pre_tokenizer, json.decoder].flatMap((p) =>
    p
      ? [
        p.type,
        ...((p as { pretokenizers?: Array<{ type?: string }> }).pretokenizers ?? []).map((x) => x.type),
        ...((p as { decoders?: Array<{ type?: string }> }).decoders ?? []).map((x) => x.type),
      ]
      : []
  );
  return types.includes("ByteLevel");
}

/**
 * A tokenizer read from a Hugging Face tokenizer.json file.
 *
 * @example
 * ```ts
 * const tok = await HfFileTokenizer.load("gpt2/tokenizer.json");
 * tok.encode("Hello world"); // [15496, 995]
 * ```
 */
export class HfFileTokenizer implements Tokenizer {
  readonly kind = "huggingface" as const;
  readonly vocabSize: number;
  readonly special: SpecialIds;
  readonly #json: HfTokenizerJson;
  readonly #hf: HfTokenizer;
  readonly #bytes: Int32Array;

  constructor(json: unknown, source = "tokenizer.json") {
    const j = json as Parsed;
    if (typeof j !== "object" || j === null || typeof j.model !== "object" || j.model === null) {
      throw new UsageError(`${source}: not a Hugging Face tokenizer.json (no "model")`);
    }
    try {
      this.#hf = new HfTokenizer(json as object, {});
    } catch (error) {
      throw new UsageError(`${source}: not a tokenizer this implementation reads (${(error as Error).message})`);
    }
    this.#json = json as HfTokenizerJson;
    const tokens = new Map<number, string>();
    const vocab = j.model.vocab ?? {};
    const entries: Array<[string, number]> = Array.isArray(vocab)
      ? vocab.map(([t], i) => [t, i])
      : Object.entries(vocab);
    for (const [t, id] of entries) tokens.set(id, t);
    const specials = new Set<number>();
    for (const t of j.added_tokens ?? []) {
      tokens.set(t.id, t.content);
      if (t.special !== false) specials.add(t.id);
    }
    if (!tokens.size) throw new UsageError(`${source}: the tokenizer has an empty vocabulary`);
    this.vocabSize = Math.max(...tokens.keys()) + 1;
    const find = (names: string[]) => {
      for (const name of names) for (const [id, t] of tokens) if (t === name) return id;
      return undefined;
    };
    const eos = find(EOS);
    if (eos === undefined) {
      throw new UsageError(`${source}: no end-of-text token (one of ${EOS.join(", ")}) to separate documents`);
    }
    this.special = { eos, bos: find(BOS) ?? eos, pad: find(PAD) ?? eos };
    const byteLevel = isByteLevel(j);
    const encoder = new TextEncoder();
    this.#bytes = new Int32Array(this.vocabSize);
    for (const [id, t] of tokens) {
      if (specials.has(id)) this.#bytes[id] = 1; // like a document separator
      else if (byteLevel) this.#bytes[id] = tokenStringToBytes(t)?.length ?? encoder.encode(t).length;
      else if (/^<0x[0-9A-Fa-f]{2}>$/.test(t)) this.#bytes[id] = 1; // SentencePiece byte fallback
      else this.#bytes[id] = encoder.encode(t.replaceAll("\u2581", " ")).length;
    }
  }

  /**
   * Reads a tokenizer.json file; a missing file or one that does not parse is a UsageError naming it.
   *
   * @example
   * ```ts
   * const tok = await HfFileTokenizer.load("tokenizer.json");
   * ```
   */
  static async load(path: string): Promise<HfFileTokenizer> {
    const text = await Deno.readTextFile(path).catch((error) => notFound(path, error));
    return fromText(text, path);
  }

  /**
   * {@linkcode HfFileTokenizer.load}, synchronously (for the vocabulary size when a run is planned).
   *
   * @example
   * ```ts
   * HfFileTokenizer.loadSync("tokenizer.json").vocabSize;
   * ```
   */
  static loadSync(path: string): HfFileTokenizer {
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      notFound(path, error);
    }
    return fromText(text, path);
  }

  encode(text: string): number[] {
    return this.#hf.encode(text.toWellFormed(), { add_special_tokens: false }).ids;
  }

  decode(ids: ArrayLike<number>): string {
    if (ids.length === 0) return ""; // the library rejects an empty list
    return this.#hf.decode(Array.from(ids), { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  byteLength(id: number): number {
    return this.#bytes[id];
  }

  toHuggingFace(): HfTokenizerJson {
    return this.#json;
  }
}

function notFound(path: string, error: unknown): never {
  if (error instanceof Deno.errors.NotFound) throw new UsageError(`${path}: file not found`);
  throw error;
}

function fromText(text: string, path: string): HfFileTokenizer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return new HfFileTokenizer(json, path);
}
