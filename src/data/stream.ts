/**
 * Token streams: a source's split as one array of token ids, documents in
 * split order, each followed by `<|eos|>` (the synthetic source is one
 * continuous document without separators).
 * @module
 */
import { join } from "node:path";
import { canonicalJson, sha256Hex } from "../util/hash.ts";
import { UsageError } from "../util/errors.ts";
import { cached, DEFAULT_CACHE_DIR } from "./cache.ts";
import { assertTextSource, type CacheOptions, loadCorpus } from "./corpus.ts";
import { type LocalFile, parseLocalSource } from "./sources/local.ts";
import { DEFAULT_MARKOV } from "./synthetic/markov.ts";
import { SYNTHETIC_LENGTHS, SYNTHETIC_VERSION, syntheticText } from "./synthetic/source.ts";
import { tokenizerId } from "./tokenizer/load.ts";
import type { Tokenizer } from "./tokenizer/types.ts";
import { type SourceName, SOURCES, type Split, SYNTHETIC_SOURCE } from "./types.ts";

/** One source's split as token ids. */
export interface TokenStream {
  source: SourceName;
  split: Split;
  tokens: Uint16Array;
  documents: number;
  /** UTF-8 bytes of the text, counting 1 per document separator. */
  bytes: number;
  /** SHA-256 of the split's content (documents, or synthetic config and length). */
  contentChecksum: string;
  /** Local sources: the files read, with their SHA-256. */
  files?: LocalFile[];
  /** {@linkcode tokenizerId} of the tokenizer used. */
  tokenizer: string;
}

/**
 * Checks a name is a source.
 *
 * @example
 * ```ts
 * assertSource("synthetic"); // ok
 * ```
 */
export function assertSource(name: string): asserts name is SourceName {
  if (parseLocalSource(name)) return;
  if (!(SOURCES as readonly string[]).includes(name)) {
    throw new UsageError(
      `unknown data source '${name}' (expected ${
        SOURCES.join(", ")
      }, text:PATH, jsonl:PATH#FIELD or parquet:PATH#COLUMN)`,
    );
  }
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("token stream caches are little-endian; this platform is not");
}

interface Content {
  documents: string[];
  checksum: string;
  separate: boolean;
  files?: LocalFile[];
}

async function contentOf(source: SourceName, split: Split, options: CacheOptions): Promise<Content> {
  if (source === SYNTHETIC_SOURCE) {
    const spec = { version: SYNTHETIC_VERSION, config: DEFAULT_MARKOV, split, length: SYNTHETIC_LENGTHS[split] };
    return { documents: [syntheticText(split)], checksum: await sha256Hex(canonicalJson(spec)), separate: false };
  }
  if (!parseLocalSource(source)) assertTextSource(source);
  const corpus = await loadCorpus(source, options);
  return {
    documents: corpus.splits[split].map((d) => d.text),
    checksum: corpus.checksums[split],
    separate: true,
    files: corpus.files,
  };
}

function tokenize(content: Content, tokenizer: Tokenizer): Uint16Array {
  if (tokenizer.vocabSize > 65536) {
    throw new UsageError(
      `a tokenizer of ${tokenizer.vocabSize} ids is not supported: token streams hold 16-bit ids (at most 65536)`,
    );
  }
  let tokens = new Uint16Array(1 << 20);
  let n = 0;
  const push = (id: number) => {
    if (n === tokens.length) {
      const grown = new Uint16Array(tokens.length * 2);
      grown.set(tokens);
      tokens = grown;
    }
    tokens[n++] = id;
  };
  const encoder = new TextEncoder();
  for (const text of content.documents) {
    if (tokenizer.kind === "byte" && !text.includes("<|")) {
      // Fast path, same ids as encode(): bytes are their own ids when no special can occur.
      const bytes = encoder.encode(text);
      while (n + bytes.length + 1 > tokens.length) {
        const grown = new Uint16Array(tokens.length * 2);
        grown.set(tokens);
        tokens = grown;
      }
      tokens.set(bytes, n);
      n += bytes.length;
    } else for (const id of tokenizer.encode(text)) push(id);
    if (content.separate) push(tokenizer.special.eos);
  }
  return tokens.slice(0, n);
}

/**
 * The token stream of a source's split. Streams of the byte tokenizer are
 * made on the fly (it is faster than reading them); others are cached under
 * `<cacheDir>/streams/`, keyed by tokenizer and content checksum.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "./tokenizer/byte.ts";
 * const stream = await tokenStream("brown", "validation", new ByteTokenizer());
 * stream.tokens.length; // bytes + one <|eos|> per document
 * ```
 */
export async function tokenStream(
  source: string,
  split: Split,
  tokenizer: Tokenizer,
  options: CacheOptions = {},
): Promise<TokenStream> {
  assertSource(source);
  const content = await contentOf(source, split, options);
  const id = await tokenizerId(tokenizer);
  const encoder = new TextEncoder();
  let bytes = 0;
  for (const text of content.documents) bytes += encoder.encode(text).length + (content.separate ? 1 : 0);
  let tokens: Uint16Array;
  if (tokenizer.kind === "byte") tokens = tokenize(content, tokenizer);
  else {
    const path = join(options.cacheDir ?? DEFAULT_CACHE_DIR, "streams", `${source}-${split}-${id}.u16`);
    const key = { schema: "polycom-repro/stream", tokenizer: id, source, split, content: content.checksum };
    const payload = await cached(path, key, () => {
      options.log?.(`data: tokenizing ${source}/${split} with ${id}`);
      const t = tokenize(content, tokenizer);
      return Promise.resolve(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
    });
    tokens = new Uint16Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength));
  }
  return {
    source,
    split,
    tokens,
    documents: content.documents.length,
    bytes,
    contentChecksum: content.checksum,
    ...(content.files ? { files: content.files } : {}),
    tokenizer: id,
  };
}
