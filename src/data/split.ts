/**
 * Deterministic document-level splits: a document's split is a function of
 * its id alone, so adding or removing other documents never moves it, and
 * every machine agrees.
 * @module
 */
import { fnv1a32 } from "../util/hash.ts";
import type { Split } from "./types.ts";

/** Per-mille boundaries: [0, 900) train, [900, 950) validation, [950, 1000) test. */
export const SPLIT_PER_MILLE = { train: 900, validation: 50, test: 50 } as const;

/** Identifies the split rule; part of every cache key and checksum manifest. */
export const SPLIT_RULE = "fnv1a32+fmix32 mod 1000: 900/50/50 (v1)";

/** MurmurHash3's finaliser: spreads FNV-1a's weak low bits before the modulo. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A well-mixed 32-bit hash of a string, for bucketing and orderings.
 *
 * @example
 * ```ts
 * mixedHash("brown/ca01") === mixedHash("brown/ca01"); // true, on every machine
 * ```
 */
export function mixedHash(text: string): number {
  return fmix32(fnv1a32(text));
}

/**
 * The split a document id belongs to.
 *
 * @example
 * ```ts
 * splitOf("brown/ca01"); // "train" | "validation" | "test", always the same
 * ```
 */
export function splitOf(id: string): Split {
  const bucket = mixedHash(`split:${id}`) % 1000;
  if (bucket < SPLIT_PER_MILLE.train) return "train";
  if (bucket < SPLIT_PER_MILLE.train + SPLIT_PER_MILLE.validation) return "validation";
  return "test";
}
