/**
 * A run directory: its file names, a run as read back, and when a run has
 * ended. Shared by the writers, the readers and their checks.
 * @module
 */
import type { EvalRow, MetricsRow, RunRecord } from "./schema.ts";

/** A run as read back from disk. */
export interface LoadedRun {
  dir: string;
  record: RunRecord;
  metrics: MetricsRow[];
  evals: EvalRow[];
}

/** File names inside a run directory. */
export const RUN_FILES = {
  record: "run.json",
  metrics: "metrics.jsonl",
  evals: "eval.jsonl",
  checkpoint: "checkpoint",
  /** The run's tokenizer as Hugging Face `tokenizer.json`, beside the checkpoint. */
  tokenizer: "tokenizer.json",
} as const;

/**
 * Whether a run has ended: finished, or stopped by a diverged loss. An ended
 * run is skipped by the runner, and its rows must end where its record does.
 *
 * @example
 * ```ts
 * import { runEnded } from "./layout.ts";
 * runEnded({ status: "diverged" }); // true
 * runEnded({ status: "running" }); // false
 * ```
 */
export function runEnded(record: Pick<RunRecord, "status">): boolean {
  return record.status === "finished" || record.status === "diverged";
}
