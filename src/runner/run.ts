/**
 * Executing one planned run: train, log, evaluate, checkpoint, resume.
 *
 * Guarantees:
 * - a finished (or diverged) run is never run again;
 * - a run killed at any moment resumes from its last checkpoint and ends with
 *   the same numbers as an uninterrupted run on the same backend (the data
 *   position, optimizer state and step are in the checkpoint; metrics logged
 *   after the checkpoint are cut on resume);
 * - every file is written atomically or appended line by line;
 * - the device is never idle waiting for a loss: steps are queued ahead of
 *   their statistics, which are read a group at a time (see `Trainer`); a
 *   divergence is seen within `2 × READ_GROUP − 1` steps, and every queued
 *   step is read before an evaluation, a checkpoint or the end, so these see
 *   exactly the steps they name.
 * @module
 */
import { join } from "node:path";
import type { BackendInfo } from "../backend/mod.ts";
import { readRunRecord, RUN_FILES, type RunRecord } from "../results/mod.ts";
import type { CodeVersion } from "../results/schema.ts";
import type { PlannedRun } from "./plan.ts";
import { openRunData } from "./_data.ts";
import { openRunModel } from "./_model.ts";
import { due, openRunLog, type RunStart } from "./_run_log.ts";
import type { Progress } from "./progress.ts";
import { claimRun, deadReason, describeLock } from "./lock.ts";

/** How a run ended (or why it did not run); `locked`: another live process holds it. */
export type RunOutcome = "finished" | "diverged" | "skipped" | "interrupted" | "failed" | "locked";

/** Context shared by all runs of one reproduce call. */
export interface RunContext {
  env: BackendInfo;
  code: CodeVersion;
  progress: (run: PlannedRun) => Progress;
  /** Set when the user asked to stop (SIGINT): the run checkpoints and returns "interrupted". */
  stopRequested: () => boolean;
  /** Prints a one-line notice (lock take-overs); console.error by default. */
  notice?: (message: string) => void;
  /** Steps whose statistics are read together (`READ_GROUP` by default; 0 reads every step before the next). */
  readGroup?: number;
}

/**
 * Runs (or resumes, or skips) one planned run and returns how it ended.
 *
 * @example
 * ```ts
 * import type { PlannedRun } from "./plan.ts";
 * declare const run: PlannedRun;
 * declare const ctx: RunContext;
 * const outcome = await executeRun(run, ctx);
 * ```
 */
export async function executeRun(run: PlannedRun, ctx: RunContext): Promise<RunOutcome> {
  const ended = (r: RunRecord | null) => r !== null && (r.status === "finished" || r.status === "diverged");
  if (ended(await readRunRecord(run.dir))) return "skipped";
  const claim = await claimRun(run.dir);
  if (!claim.held) return "locked";
  const label = `${run.config.suite}/${run.config.activation} seed ${run.config.seed}`;
  if (claim.tookOver) {
    (ctx.notice ?? console.error)(
      `${label}: took over the lock of ${describeLock(claim.tookOver)} (${deadReason(claim.tookOver)})`,
    );
  }
  try {
    // Read again under the lock: another process may have finished it while we looked.
    const existing = await readRunRecord(run.dir);
    if (ended(existing)) return "skipped";
    return await executeClaimed(run, ctx, existing);
  } finally {
    await claim.held.release();
    // A run that stopped before writing anything (bad data) leaves no empty folder behind.
    await Deno.remove(run.dir).catch(() => {});
  }
}

async function executeClaimed(run: PlannedRun, ctx: RunContext, existing: RunRecord | null): Promise<RunOutcome> {
  const sessionStart = performance.now();
  // Data first: a bad source or tokenizer file stops the run before its record is written (reproduce also checks
  // every suite's data before it writes the plan).
  const data = await openRunData(run.config);
  const { model, resumed } = await openRunModel(run.config, join(run.dir, RUN_FILES.checkpoint), ctx.readGroup);
  try {
    const start = { run, env: ctx.env, code: ctx.code, data, model, resumed, existing, progress: ctx.progress(run) };
    return await train(start, ctx.stopRequested, sessionStart);
  } finally {
    model.dispose();
  }
}

/**
 * The training loop: queue a step, and whenever results come back log them;
 * before an evaluation, a checkpoint or a stop, wait for every queued step.
 */
async function train(start: RunStart, stopRequested: () => boolean, sessionStart: number): Promise<RunOutcome> {
  const { run, data, model } = start;
  const { trainer } = model;
  const t = run.config.train;
  const log = await openRunLog(start, sessionStart);
  try {
    if (log.state.step === 0 && log.state.tokens === 0) await log.evaluate();
    while (trainer.steps < t.steps) {
      const step = trainer.steps + 1;
      const lr = model.lrAt(step - 1);
      let done = await trainer.queue(data.nextBatch(), lr, {
        coefficients: model.learnable && due(step, t.logEvery, t.steps),
      });
      const stop = stopRequested();
      const evaluate = due(step, t.evalEvery, t.steps);
      const checkpoint = due(step, t.checkpointEvery, t.steps) || stop;
      if (evaluate || checkpoint) done = done.concat(await trainer.drain());
      for (const result of done) if (!log.step(result)) return await log.diverged(result);
      if (evaluate) await log.evaluate();
      if (checkpoint) await log.checkpoint();
      if (stop && step < t.steps) return log.interrupted();
    }
    return await log.finished();
  } catch (error) {
    return await log.failed(error);
  }
}
