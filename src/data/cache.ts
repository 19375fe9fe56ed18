/**
 * A small verified on-disk cache. Each entry is a payload file plus a
 * `.meta.json` holding the payload's SHA-256 and the key it was built for
 * (format version, inputs' checksums...). A missing, torn, edited or stale
 * entry is reported as a miss, and the caller rebuilds it.
 * @module
 */
import { canonicalJson, sha256Hex } from "../util/hash.ts";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic.ts";

/** Where caches live unless told otherwise (gitignored). */
export const DEFAULT_CACHE_DIR = ".cache/data";

/** Why a cache read missed, or "hit". */
export type CacheStatus = "hit" | "missing" | "corrupt" | "stale";

/** Result of {@linkcode readCached}. */
export interface CacheRead {
  status: CacheStatus;
  payload: Uint8Array | null;
}

interface Meta {
  key: unknown;
  sha256: string;
  bytes: number;
}

/**
 * Reads a cache entry if its key matches `key` and its payload matches its checksum.
 *
 * @example
 * ```ts
 * const { status, payload } = await readCached(".cache/data/corpus/brown.json", { version: 1 });
 * console.log(status, payload?.length); // "hit" 123456, or "missing" / "corrupt" / "stale" null
 * ```
 */
export async function readCached(path: string, key: unknown): Promise<CacheRead> {
  let meta: Meta;
  try {
    meta = JSON.parse(await Deno.readTextFile(`${path}.meta.json`)) as Meta;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { status: "missing", payload: null };
    return { status: "corrupt", payload: null };
  }
  if (typeof meta !== "object" || meta === null || typeof meta.sha256 !== "string") {
    return { status: "corrupt", payload: null };
  }
  if (canonicalJson(meta.key) !== canonicalJson(key)) return { status: "stale", payload: null };
  let payload: Uint8Array;
  try {
    payload = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { status: "missing", payload: null };
    throw error;
  }
  if (payload.length !== meta.bytes || (await sha256Hex(payload)) !== meta.sha256) {
    return { status: "corrupt", payload: null };
  }
  return { status: "hit", payload };
}

/**
 * Writes a cache entry: payload first, then its meta, both atomically, so a
 * crash in between leaves a meta that no longer matches and reads as a miss.
 *
 * @example
 * ```ts
 * await writeCached(".cache/data/x.bin", { version: 1 }, new Uint8Array([1, 2, 3]));
 * ```
 */
export async function writeCached(path: string, key: unknown, payload: Uint8Array): Promise<void> {
  await writeFileAtomic(path, payload);
  const meta: Meta = { key, sha256: await sha256Hex(payload), bytes: payload.length };
  await writeJsonAtomic(`${path}.meta.json`, meta);
}

/**
 * Reads a cached value, or builds, stores and returns it. `onRebuild` hears
 * why an existing entry was not used (for a one-line notice).
 *
 * @example
 * ```ts
 * const bytes = await cached("c.bin", { v: 1 }, async () => new Uint8Array([7]));
 * ```
 */
export async function cached(
  path: string,
  key: unknown,
  build: () => Promise<Uint8Array>,
  onRebuild?: (status: Exclude<CacheStatus, "hit">) => void,
): Promise<Uint8Array> {
  const read = await readCached(path, key);
  if (read.status === "hit" && read.payload) return read.payload;
  onRebuild?.(read.status as Exclude<CacheStatus, "hit">);
  const payload = await build();
  await writeCached(path, key, payload);
  return payload;
}
