/**
 * Tokenizers from a suite's spec: the byte tokenizer, a BPE trained on the
 * train split of the text sources and kept in the verified cache, or a Hugging
 * Face tokenizer.json; and reading any tokenizer.json file.
 * @module
 */
import { join } from "node:path";
import { canonicalJson, sha256Hex } from "../../util/hash.ts";
import { UsageError } from "../../util/errors.ts";
import { cached, DEFAULT_CACHE_DIR } from "../cache.ts";
import { type CacheOptions, loadCorpus } from "../corpus.ts";
import { TEXT_SOURCES } from "../types.ts";
import { BpeTrainingError } from "./_bpe_train.ts";
import { BpeTokenizer } from "./bpe.ts";
import { BYTE_VOCAB_SIZE, ByteTokenizer } from "./byte.ts";
import { HfFileTokenizer } from "./read_json.ts";
import { SPECIAL_TOKENS, type Tokenizer, type TokenizerSpec } from "./types.ts";

/** Bump when training changes: every cached BPE is retrained. */
export const BPE_TRAINER_VERSION = 1;
/** Pairs seen fewer times are never merged. */
const MIN_FREQUENCY = 2;
/** Smallest and largest BPE vocabularies (ids must fit in 16 bits in token streams). */
export const BPE_VOCAB_RANGE = [256 + SPECIAL_TOKENS.length + 1, 65536] as const;

/**
 * The vocabulary size a spec gives, without training anything (for planning).
 *
 * @example
 * ```ts
 * vocabSizeFor("byte"); // 259
 * vocabSizeFor({ bpe: 4096 }); // 4096
 * ```
 */
export function vocabSizeFor(spec: TokenizerSpec): number {
  if (spec === "byte") return BYTE_VOCAB_SIZE;
  if ("huggingface" in spec) return HfFileTokenizer.loadSync(spec.huggingface).vocabSize;
  const n = spec.bpe;
  if (!Number.isInteger(n) || n < BPE_VOCAB_RANGE[0] || n > BPE_VOCAB_RANGE[1]) {
    throw new UsageError(`BPE vocabulary ${n} is out of range (${BPE_VOCAB_RANGE[0]}..${BPE_VOCAB_RANGE[1]})`);
  }
  return n;
}

/**
 * A short content id of a tokenizer (hash of its tokenizer.json), for cache keys.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "./byte.ts";
 * await tokenizerId(new ByteTokenizer()); // "byte-1f0c..." (16 hex digits)
 * ```
 */
export async function tokenizerId(tokenizer: Tokenizer): Promise<string> {
  return `${tokenizer.kind}-${(await sha256Hex(canonicalJson(tokenizer.toHuggingFace()))).slice(0, 16)}`;
}

/**
 * Gets the tokenizer a spec names. A BPE is trained on the train split of
 * every text source (brown and nlp-corpus, never validation or test), so one
 * vocabulary size gives one tokenizer in every suite; it is cached under
 * `<cacheDir>/tokenizers/` and retrained when the corpora or trainer change.
 *
 * @example
 * ```ts
 * const bpe = await loadTokenizer({ bpe: 4096 }); // ~6 s the first time, then from the cache
 * bpe.vocabSize; // 4096
 * ```
 */
export async function loadTokenizer(spec: TokenizerSpec, options: CacheOptions = {}): Promise<Tokenizer> {
  if (spec === "byte") return new ByteTokenizer();
  if ("huggingface" in spec) return await HfFileTokenizer.load(spec.huggingface);
  const vocabSize = vocabSizeFor(spec);
  const corpora = await Promise.all(TEXT_SOURCES.map((s) => loadCorpus(s, options)));
  const key = {
    schema: "polycom-repro/bpe",
    trainer: BPE_TRAINER_VERSION,
    vocabSize,
    minFrequency: MIN_FREQUENCY,
    trainedOn: corpora.map((c) => ({ source: c.source, split: "train", checksum: c.checksums.train })),
  };
  const path = join(options.cacheDir ?? DEFAULT_CACHE_DIR, "tokenizers", `bpe-${vocabSize}.json`);
  const payload = await cached(path, key, () => {
    options.log?.(`data: training a ${vocabSize}-token BPE on the train split of ${TEXT_SOURCES.join(" + ")}`);
    try {
      const texts = corpora.flatMap((c) => c.splits.train.map((d) => d.text));
      const tokenizer = BpeTokenizer.train(texts, { vocabSize, minFrequency: MIN_FREQUENCY });
      return Promise.resolve(new TextEncoder().encode(JSON.stringify(tokenizer.toHuggingFace())));
    } catch (error) {
      if (error instanceof BpeTrainingError) throw new UsageError(`BPE ${vocabSize}: ${error.message}`);
      throw error;
    }
  }, (status) => status !== "missing" && options.log?.(`data: BPE cache ${status}, retraining`));
  return BpeTokenizer.fromHuggingFace(JSON.parse(new TextDecoder().decode(payload)));
}

/**
 * Reads any tokenizer.json file (a checkpoint's, one passed with
 * `--tokenizer`): a file is Hugging Face's format whoever wrote it, so
 * `@huggingface/tokenizers` encodes it ({@linkcode HfFileTokenizer}); for
 * files written by this project it gives the ids our tokenizers give.
 *
 * @example
 * ```ts
 * import { readTokenizerFile } from "./load.ts";
 * const tok = await readTokenizerFile("results/run/tokenizer.json");
 * ```
 */
export function readTokenizerFile(path: string): Promise<Tokenizer> {
  return HfFileTokenizer.load(path);
}
