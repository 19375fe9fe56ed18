/**
 * Item sets fixed by seed, stored in the verified cache with their checksum,
 * so every run of a suite is scored on the same items and its EvalRow says
 * which ones.
 * @module
 */
import { join } from "node:path";
import { canonicalJson, sha256Hex } from "../../util/hash.ts";
import { cached, DEFAULT_CACHE_DIR } from "../../data/cache.ts";
import type { CacheOptions, Corpus } from "../../data/corpus.ts";
import { buildMcItems, MC_VERSION, mcLimits } from "./mc.ts";
import { buildLastWordItems, LASTWORD_VERSION, lastwordLimits } from "./lastword.ts";
import type { ItemSet, McItem, TaskName } from "./types.ts";

/** What an item set is built from. */
export interface ItemSetOptions extends CacheOptions {
  /** Held-out (test split) documents are taken from these corpora. */
  corpora: Corpus[];
  /** Items per task, shared out evenly over the corpora. */
  n: number;
  seed: number;
  /** The model window the items must fit (tokens; every token is ≥ 1 byte). */
  seqLen: number;
}

function quotas(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
}

/**
 * Checksum of an item set's content.
 *
 * @example
 * ```ts
 * import type { McItem } from "./types.ts";
 * declare const items: McItem[];
 * await itemsChecksum("mc4", 1, 0, items); // 64 hex digits
 * ```
 */
export function itemsChecksum(task: TaskName, version: number, seed: number, items: unknown[]): Promise<string> {
  return sha256Hex(canonicalJson({ task, version, seed, items }));
}

async function load<T>(
  task: TaskName,
  version: number,
  options: ItemSetOptions,
  params: unknown,
  build: (corpus: Corpus, n: number) => T[],
): Promise<ItemSet<T>> {
  const key = {
    schema: "polycom-repro/items",
    task,
    version,
    seed: options.seed,
    n: options.n,
    params,
    from: options.corpora.map((c) => ({ source: c.source, split: "test", checksum: c.checksums.test })),
  };
  const name = `${task}-s${options.seed}-n${options.n}-w${options.seqLen}-${
    options.corpora.map((c) => c.source).join("+")
  }`;
  const path = join(options.cacheDir ?? DEFAULT_CACHE_DIR, "tasks", `${name}.json`);
  const payload = await cached(path, key, async () => {
    const q = quotas(options.n, options.corpora.length);
    const items = options.corpora.flatMap((corpus, i) => build(corpus, q[i]));
    const set: ItemSet<T> = {
      task,
      version,
      seed: options.seed,
      items,
      checksum: await itemsChecksum(task, version, options.seed, items),
    };
    return new TextEncoder().encode(JSON.stringify(set));
  });
  const set = JSON.parse(new TextDecoder().decode(payload)) as ItemSet<T>;
  if ((await itemsChecksum(task, version, set.seed, set.items)) !== set.checksum) {
    throw new Error(`${task} item set checksum mismatch in ${path}`);
  }
  return set;
}

/**
 * The HellaSwag-style item set.
 *
 * @example
 * ```ts
 * import { loadCorpus } from "../../data/corpus.ts";
 * const brown = await loadCorpus("brown");
 * const nlp = await loadCorpus("nlp-corpus");
 * const set = await loadMcItems({ corpora: [brown, nlp], n: 100, seed: 0, seqLen: 256 });
 * set.checksum; // recorded in every EvalRow
 * ```
 */
export function loadMcItems(options: ItemSetOptions): Promise<ItemSet<McItem>> {
  const limits = mcLimits(options.seqLen);
  return load(
    "mc4",
    MC_VERSION,
    options,
    limits,
    (corpus, n) => buildMcItems(corpus.source, corpus.splits.test, n, options.seed, limits),
  );
}

/**
 * The LAMBADA-style item set, a four-way choice of a passage's last word (may hold fewer than `n` items when
 * windows are tiny).
 *
 * @example
 * ```ts
 * import { loadCorpus } from "../../data/corpus.ts";
 * const brown = await loadCorpus("brown");
 * const set = await loadLastWordItems({ corpora: [brown], n: 100, seed: 0, seqLen: 256 });
 * ```
 */
export function loadLastWordItems(options: ItemSetOptions): Promise<ItemSet<McItem>> {
  const limits = lastwordLimits(options.seqLen);
  return load(
    "lastword4",
    LASTWORD_VERSION,
    options,
    limits,
    (corpus, n) => buildLastWordItems(corpus.source, corpus.splits.test, n, options.seed, limits),
  );
}
