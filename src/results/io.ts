/**
 * Reading and writing result directories. Readers are tolerant of a run
 * killed mid-write: a JSONL line cut short at the end is ignored.
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic.ts";
import { UsageError } from "../util/errors.ts";
import { EvalRow, MetricsRow, RunRecord } from "./schema.ts";
import { checkRun } from "./check.ts";
import { type LoadedRun, RUN_FILES } from "./layout.ts";

export { type LoadedRun, RUN_FILES, runEnded } from "./layout.ts";

/**
 * Writes run.json atomically.
 *
 * @example
 * ```ts
 * import type { RunRecord } from "./schema.ts";
 * declare const record: RunRecord;
 * await writeRunRecord("results/smoke/abc", record);
 * ```
 */
export async function writeRunRecord(dir: string, record: RunRecord): Promise<void> {
  await writeJsonAtomic(join(dir, RUN_FILES.record), RunRecord.parse(record));
}

/**
 * Rewrites a JSONL file atomically with exactly these rows. The runner uses
 * it to cut metrics back to a checkpoint's step on resume.
 *
 * @example
 * ```ts
 * import type { MetricsRow } from "./schema.ts";
 * declare const rows: MetricsRow[];
 * await writeJsonl("results/smoke/abc/metrics.jsonl", rows);
 * ```
 */
export async function writeJsonl(path: string, rows: unknown[]): Promise<void> {
  await writeFileAtomic(path, rows.map((r) => JSON.stringify(r) + "\n").join(""));
}

/**
 * Appends rows to a JSONL file (one write call; a crash can only cut the last line).
 *
 * @example
 * ```ts
 * import type { MetricsRow } from "./schema.ts";
 * declare const row: MetricsRow;
 * await appendJsonl("results/smoke/abc/metrics.jsonl", [row]);
 * ```
 */
export async function appendJsonl(path: string, rows: unknown[]): Promise<void> {
  if (rows.length === 0) return;
  await Deno.writeTextFile(path, rows.map((r) => JSON.stringify(r) + "\n").join(""), { append: true });
}

/**
 * Reads a JSONL file, validating each row; a torn last line is dropped.
 *
 * @example
 * ```ts
 * import { MetricsRow } from "./schema.ts";
 * const rows = await readJsonl("metrics.jsonl", MetricsRow);
 * ```
 */
export async function readJsonl<T>(path: string, schema: { parse(value: unknown): T }): Promise<T[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const lines = text.split("\n");
  const rows: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      rows.push(schema.parse(JSON.parse(line)));
    } catch (error) {
      const isLast = lines.slice(i + 1).every((l) => !l.trim());
      if (isLast) break; // torn write from a killed process
      throw new UsageError(`${path}:${i + 1}: invalid row (${(error as Error).message.split("\n")[0]})`);
    }
  }
  return rows;
}

/**
 * Reads run.json, or `null` when the directory holds no run.
 *
 * @example
 * ```ts
 * const record = await readRunRecord("results/smoke/abc");
 * ```
 */
export async function readRunRecord(dir: string): Promise<RunRecord | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, RUN_FILES.record));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const parsed = RunRecord.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new UsageError(`${join(dir, RUN_FILES.record)}: not a valid run record (${parsed.error.issues[0]?.message})`);
  }
  return parsed.data;
}

/**
 * Loads every run under a results root (`<root>/<suite>/<run-id>/`), sorted by
 * suite, activation and seed. Each run is checked ({@linkcode checkRun}): an
 * inconsistent one is a UsageError naming its file.
 *
 * @example
 * ```ts
 * const runs = await loadRuns("results");
 * ```
 */
export async function loadRuns(root: string, suite?: string): Promise<LoadedRun[]> {
  const runs: LoadedRun[] = [];
  let suites: string[];
  try {
    suites = [];
    for await (const entry of Deno.readDir(root)) if (entry.isDirectory) suites.push(entry.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new UsageError(`results directory '${root}' does not exist`);
    throw error;
  }
  for (const s of suites.sort()) {
    if (suite && s !== suite) continue;
    for await (const entry of Deno.readDir(join(root, s))) {
      if (!entry.isDirectory) continue;
      const dir = join(root, s, entry.name);
      const record = await readRunRecord(dir);
      if (!record) continue;
      const run = {
        dir,
        record,
        metrics: await readJsonl(join(dir, RUN_FILES.metrics), MetricsRow),
        evals: await readJsonl(join(dir, RUN_FILES.evals), EvalRow),
      };
      checkRun(run);
      runs.push(run);
    }
  }
  return runs.sort((a, b) =>
    a.record.suite.localeCompare(b.record.suite) || a.record.scale.localeCompare(b.record.scale) ||
    a.record.activation.localeCompare(b.record.activation) || a.record.seed - b.record.seed
  );
}
