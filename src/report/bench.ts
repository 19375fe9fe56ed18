/**
 * The benchmark summary `results/bench/latest.json`, when the bench suite
 * has written one; the report prints it beside the runs' own throughput.
 * @module
 */
import { join } from "node:path";
import { z } from "zod";

/**
 * One benchmark entry.
 *
 * @example
 * ```ts
 * BenchEntry.parse({ name: "step", backend: "wasm", activation: "polynorm", msPerStepMedian: 12, tokensPerSecond: 5000 });
 * ```
 */
export const BenchEntry = z.looseObject({
  name: z.string(),
  backend: z.string(),
  activation: z.string(),
  msPerStepMedian: z.number(),
  tokensPerSecond: z.number(),
  mfu: z.number().nullable().optional(),
  env: z.unknown().optional(),
});
/** One benchmark entry. */
export type BenchEntry = z.infer<typeof BenchEntry>;

/** What was found at the benchmark path. */
export interface BenchFile {
  path: string;
  entries: BenchEntry[];
  /** Set when the file exists but cannot be read as a list of entries. */
  problem: string | null;
}

/**
 * Reads `<results>/bench/latest.json`; `null` when it does not exist. A
 * malformed file is reported as a problem, not thrown: it must not stop the
 * report of the training runs.
 *
 * @example
 * ```ts
 * const bench = await readBench("results");
 * bench?.entries.map((e) => e.tokensPerSecond);
 * ```
 */
export async function readBench(resultsDir: string): Promise<BenchFile | null> {
  const path = join(resultsDir, "bench", "latest.json");
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    return { path, entries: [], problem: (error as Error).message };
  }
  try {
    const parsed = z.array(BenchEntry).safeParse(JSON.parse(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { path, entries: [], problem: `${issue?.path.join(".") || "(root)"}: ${issue?.message}` };
    }
    return { path, entries: parsed.data, problem: null };
  } catch (error) {
    return { path, entries: [], problem: `not JSON (${(error as Error).message})` };
  }
}
