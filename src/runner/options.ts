/**
 * Parsing the runner's command-line values: scale, seeds and shard.
 * @module
 */
import { UsageError } from "../util/errors.ts";

/** One part of a sharded reproduction: this machine runs part `index` of `count` (1-based). */
export interface Shard {
  index: number;
  count: number;
}

/** Names that are not rungs: `auto` asks the budget planner to choose. */
export const AUTO_SCALE = "auto";

/**
 * Parses `--scale`: one rung name or several, comma-separated (`120k,340k,860k`); `auto` lets the budget choose.
 * Whether a suite has the rung is checked when planning.
 *
 * @example
 * ```ts
 * parseScales("smoke"); // ["smoke"]
 * parseScales("120k,860k"); // ["120k", "860k"]
 * ```
 */
export function parseScales(value: string): string[] {
  const names = value.split(",").map((v) => v.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`empty scale '${value}'`);
  for (const name of names) {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
      throw new UsageError(`unknown scale '${name}' (rung names look like smoke, 860k, paper)`);
    }
  }
  if (names.includes(AUTO_SCALE) && names.length > 1) {
    throw new UsageError("--scale auto cannot be combined with rungs");
  }
  return [...new Set(names)];
}

/**
 * Parses a duration: `90s`, `25m`, `8h`, `1h30m`, or plain seconds.
 *
 * @example
 * ```ts
 * parseDuration("1h30m"); // 5400
 * ```
 */
export function parseDuration(value: string): number {
  const text = value.trim();
  const plain = /^\d+(\.\d+)?$/.test(text);
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  const seconds = plain
    ? Number(text)
    : match
    ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)
    : NaN;
  if (!(seconds > 0)) throw new UsageError(`bad duration '${value}' (expected e.g. 30m, 8h, 1h30m, 90s)`);
  return seconds;
}

/**
 * Parses `--jobs N` (1 ≤ N ≤ 64).
 *
 * @example
 * ```ts
 * parseJobs("2"); // 2
 * ```
 */
export function parseJobs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`bad job count '${value}' (expected 1 to 64)`);
  return n;
}

/** Memory one small-rung job needs (tfjs, data, a model of a few million parameters), in GiB. */
export const JOB_MEMORY_GIB = 1.5;

/**
 * The default `--jobs`: one per core, as many as free memory holds at {@linkcode JOB_MEMORY_GIB} each.
 * On 2 cores two single-threaded runs beat one two-threaded run (1.65× measured).
 *
 * @example
 * ```ts
 * defaultJobs(); // 2 on a 2-core machine with 4 GiB free
 * ```
 */
export function defaultJobs(cores = navigator.hardwareConcurrency || 1, freeGiB = freeMemoryGiB()): number {
  return Math.max(1, Math.min(cores, Math.floor(freeGiB / JOB_MEMORY_GIB), 16));
}

function freeMemoryGiB(): number {
  try {
    const info = Deno.systemMemoryInfo();
    return (info.available || info.free) / 2 ** 30;
  } catch {
    return JOB_MEMORY_GIB;
  }
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
 * Parses `--activations polynorm,swiglu` (names; whether a suite has them is checked when planning).
 *
 * @example
 * ```ts
 * parseActivations("polynorm, swiglu"); // ["polynorm", "swiglu"]
 * ```
 */
export function parseActivations(value: string): string[] {
  const names = value.split(",").map((v) => v.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`empty activation list '${value}'`);
  const bad = names.find((n) => !/^[a-z0-9_]+$/.test(n));
  if (bad) throw new UsageError(`bad activation name '${bad}' (expected e.g. polynorm,swiglu)`);
  return [...new Set(names)];
}

/** The largest recipe-sweep multiplier (the suite schema's bound). */
const MAX_MULTIPLIER = 100;

/**
 * Parses a recipe sweep's multipliers (`--lr-sweep 0.5,1,2`, `--init-sweep 0.35,1`): positive numbers up to 100,
 * each once. `flag` names the option in the error.
 *
 * @example
 * ```ts
 * parseMultipliers("0.5, 1, 2", "--lr-sweep"); // [0.5, 1, 2]
 * ```
 */
export function parseMultipliers(value: string, flag: string): number[] {
  const parts = value.split(",").map((v) => v.trim());
  const bad = parts.find((p) => !/^\d*\.?\d+(e[-+]?\d+)?$/i.test(p) || !(Number(p) > 0) || Number(p) > MAX_MULTIPLIER);
  if (bad !== undefined) {
    throw new UsageError(
      `bad ${flag} '${value}': '${bad}' is not a multiplier (expected positive numbers up to ${MAX_MULTIPLIER}, ` +
        "e.g. 0.5,1,2)",
    );
  }
  const numbers = parts.map(Number);
  const twice = numbers.find((n, i) => numbers.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`bad ${flag} '${value}': ${twice} is listed twice`);
  return numbers;
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
