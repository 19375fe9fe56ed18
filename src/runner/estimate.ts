/**
 * Time estimates for `--dry-run`: training FLOPs divided by a throughput
 * measured on this device, with the basis of the estimate stated.
 * @module
 */
import { tf } from "../backend/tf.ts";

/** A measured throughput and where it came from. */
export interface Throughput {
  /** Effective training FLOP/s expected on this device. */
  flopsPerSecond: number;
  basis: string;
}

/** Fraction of raw matmul speed a training step reaches when nothing better is known. */
export const ASSUMED_TRAINING_EFFICIENCY = 0.3;

interface BenchEntry {
  backend?: string;
  tokensPerSecond?: number;
  flopsPerToken?: number;
  flopsPerSecond?: number;
}

/**
 * Reads the effective training FLOP/s of a backend from the last
 * `deno task bench` run (results/bench/latest.json), if it recorded one.
 *
 * @example
 * ```ts
 * const t = await throughputFromBench("results/bench/latest.json", "wasm");
 * ```
 */
export async function throughputFromBench(path: string, backend: string): Promise<Throughput | null> {
  let entries: BenchEntry[];
  try {
    entries = JSON.parse(await Deno.readTextFile(path));
  } catch {
    return null;
  }
  const rates = entries.filter((e) => e.backend === backend).map((e) =>
    e.flopsPerSecond ?? ((e.tokensPerSecond ?? 0) * (e.flopsPerToken ?? 0))
  ).filter((r) => r > 0);
  if (rates.length === 0) return null;
  const best = Math.max(...rates);
  return { flopsPerSecond: best, basis: `train-tiny benchmark in ${path} (${(best / 1e9).toFixed(2)} GFLOP/s)` };
}

/**
 * Measures matmul FLOP/s on the active backend for about `seconds`, and
 * assumes training reaches {@linkcode ASSUMED_TRAINING_EFFICIENCY} of it.
 *
 * @example
 * ```ts
 * const t = await probeThroughput(0.5);
 * ```
 */
export async function probeThroughput(seconds = 0.5, size = 256): Promise<Throughput> {
  const a = tf.randomNormal([size, size]);
  const b = tf.randomNormal([size, size]);
  await tf.matMul(a, b).data(); // warm-up: compiles shaders, allocates
  let iterations = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    iterations++;
  }
  const elapsed = (performance.now() - start) / 1000;
  a.dispose();
  b.dispose();
  const matmul = (2 * size ** 3 * iterations) / elapsed;
  return {
    flopsPerSecond: matmul * ASSUMED_TRAINING_EFFICIENCY,
    basis: `${size}³ matmul probe at ${(matmul / 1e9).toFixed(2)} GFLOP/s × assumed ${ASSUMED_TRAINING_EFFICIENCY} ` +
      "training efficiency (run `deno task bench` for a measured rate)",
  };
}
