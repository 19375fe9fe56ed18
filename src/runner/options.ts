/**
 * Parsing the runner's command-line values: scale, seeds and shard.
 * @module
 */
import { UsageError } from "../util/errors.ts";
import type { Scale } from "../results/schema.ts";

/** A scale as given on the command line. */
export type ScaleChoice = Scale | "auto";
/** Every accepted `--scale` value. */
export const SCALE_CHOICES: readonly ScaleChoice[] = ["auto", "smoke", "cpu", "gpu", "paper"];

/** One part of a sharded reproduction: this machine runs part `index` of `count` (1-based). */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses `--scale`.
 *
 * @example
 * ```ts
 * parseScale("cpu"); // "cpu"
 * ```
 */
export function parseScale(value: string): ScaleChoice {
  if ((SCALE_CHOICES as readonly string[]).includes(value)) return value as ScaleChoice;
  throw new UsageError(`unknown scale '${value}' (expected one of: ${SCALE_CHOICES.join(", ")})`);
}

/**
 * Parses `--seeds 0,1,2` (also ranges `0-4`).
 *
 * @example
 * ```ts
 * parseSeeds("0-2,7"); // [0, 1, 2, 7]
 * ```
 */
export function parseSeeds(value: string): number[] {
  const seeds: number[] = [];
  for (const part of value.split(",").map((p) => p.trim())) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [lo, hi] = [Number(range[1]), Number(range[2])];
      if (hi < lo || hi - lo > 1000) throw new UsageError(`bad seed range '${part}'`);
      for (let s = lo; s <= hi; s++) seeds.push(s);
    } else if (/^\d+$/.test(part)) {
      seeds.push(Number(part));
    } else {
      throw new UsageError(`bad seed list '${value}' (expected e.g. 0,1,2 or 0-4)`);
    }
  }
  return [...new Set(seeds)];
}

/**
 * Parses `--shard I/N` (1 ≤ I ≤ N).
 *
 * @example
 * ```ts
 * parseShard("2/4"); // { index: 2, count: 4 }
 * ```
 */
export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`malformed shard '${value}' (expected I/N with 1 <= I <= N, e.g. 1/4)`);
  }
  return { index, count };
}

/**
 * Keeps the items of one shard: round-robin over a stable order, so shards
 * are disjoint, cover everything, and differ in size by at most one.
 *
 * @example
 * ```ts
 * selectShard(["a", "b", "c"], { index: 1, count: 2 }); // ["a", "c"]
 * ```
 */
export function selectShard<T>(items: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...items];
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}
