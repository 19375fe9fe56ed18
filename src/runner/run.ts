/**
 * Executing one planned run: train, log, evaluate, checkpoint, resume.
 *
 * Guarantees:
 * - a finished (or diverged) run is never run again;
 * - a run killed at any moment resumes from its last checkpoint and ends with
 *   the same numbers as an uninterrupted run on the same backend (the data
 *   position, optimizer state and step are in the checkpoint; metrics logged
 *   after the checkpoint are cut on resume);
 * - every file is written atomically or appended line by line.
 * @module
 */
import { join } from "node:path";
import type { BackendInfo } from "../backend/mod.ts";
import {
  type EvalRow,
  type MetricsRow,
  readJsonl,
  readRunRecord,
  RUN_FILES,
  RUN_SCHEMA,
  type RunRecord,
  writeJsonl,
  writeRunRecord,
} from "../results/mod.ts";
import { EvalRow as EvalRowSchema, MetricsRow as MetricsRowSchema } from "../results/schema.ts";
import type { CodeVersion } from "../results/schema.ts";
import { appendJsonl } from "../results/io.ts";
import { writeJsonAtomic } from "../util/atomic.ts";
import type { PlannedRun } from "./plan.ts";
import { openRunData, type RunData } from "./_data.ts";
import { openRunModel, type RunModel, type TrainerState } from "./_model.ts";
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
}

function now(): string {
  return new Date().toISOString();
}

function freshRecord(run: PlannedRun, ctx: RunContext, counts: RunRecord["counts"]): RunRecord {
  const c = run.config;
  return {
    schema: RUN_SCHEMA,
    runId: run.runId,
    suite: c.suite,
    experiment: c.experiment,
    scale: c.scale,
    activation: c.activation,
    seed: c.seed,
    config: { ...c, manifest: run.manifest } as unknown as Record<string, unknown>,
    code: ctx.code,
    env: ctx.env as unknown as Record<string, unknown>,
    counts,
    status: "running",
    divergedAtStep: null,
    error: null,
    progress: { step: 0, tokens: 0, totalSteps: c.train.steps, totalTokens: c.train.steps * c.train.tokensPerStep },
    timings: {
      startedAt: now(),
      updatedAt: now(),
      finishedAt: null,
      trainSeconds: 0,
      evalSeconds: 0,
      tokensPerSecond: 0,
      resumes: 0,
      estimatedSeconds: run.estimatedSeconds ?? null,
      wallSeconds: 0,
    },
  };
}

/**
 * Runs (or resumes, or skips) one planned run and returns how it ended.
 *
 * @example
 * ```ts
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

  const c = run.config;
  // Data first: a bad source or tokenizer file stops the run before its record is written (reproduce also checks
  // every suite's data before it writes the plan).
  const data: RunData = await openRunData(c);
  const checkpointDir = join(run.dir, RUN_FILES.checkpoint);
  const { model, resumed } = await openRunModel(c, checkpointDir);
  let record: RunRecord;
  let state: TrainerState;
  let wallBase = 0;
  if (resumed && existing) {
    state = { ...resumed, timings: { ...resumed.timings, resumes: resumed.timings.resumes + 1 } };
    record = {
      ...existing,
      env: ctx.env as unknown as Record<string, unknown>,
      code: ctx.code,
      data: data.checksums,
      status: "running",
    };
    record.timings = { ...state.timings };
    wallBase = existing.timings.wallSeconds ?? 0;
    data.restore(state.dataPosition);
    // Rows logged after the checkpoint are recomputed; cut them so no step appears twice.
    const metricsPath = join(run.dir, RUN_FILES.metrics);
    const evalPath = join(run.dir, RUN_FILES.evals);
    await writeJsonl(metricsPath, (await readJsonl(metricsPath, MetricsRowSchema)).filter((r) => r.step <= state.step));
    await writeJsonl(evalPath, (await readJsonl(evalPath, EvalRowSchema)).filter((r) => r.step <= state.step));
  } else {
    state = {
      step: 0,
      tokens: 0,
      dataPosition: data.position(),
      timings: freshRecord(run, ctx, model.counts).timings,
    };
    record = freshRecord(run, ctx, model.counts);
    record.data = data.checksums;
    // A run restarted without a checkpoint starts its logs afresh.
    await writeJsonl(join(run.dir, RUN_FILES.metrics), []);
    await writeJsonl(join(run.dir, RUN_FILES.evals), []);
  }
  await writeRunRecord(run.dir, record);
  await writeJsonAtomic(join(run.dir, RUN_FILES.tokenizer), data.tokenizer.toHuggingFace());

  const progress = ctx.progress(run);
  const wall = () => wallBase + (performance.now() - sessionStart) / 1000;
  try {
    const outcome = await trainLoop(run, ctx, data, model, state, record, progress, wall);
    return outcome;
  } catch (error) {
    record.status = "failed";
    record.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    record.timings.updatedAt = now();
    record.timings.wallSeconds = wall();
    await writeRunRecord(run.dir, record);
    progress.stop(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return "failed";
  } finally {
    model.dispose();
  }
}

async function trainLoop(
  run: PlannedRun,
  ctx: RunContext,
  data: RunData,
  model: RunModel,
  state: TrainerState,
  record: RunRecord,
  progress: Progress,
  wall: () => number,
): Promise<RunOutcome> {
  const c = run.config;
  const t = c.train;
  const metricsPath = join(run.dir, RUN_FILES.metrics);
  const evalPath = join(run.dir, RUN_FILES.evals);
  const pending: MetricsRow[] = [];

  const syncRecord = async (status: RunRecord["status"]) => {
    record.status = status;
    record.progress = { ...record.progress, step: state.step, tokens: state.tokens };
    record.timings = { ...state.timings, updatedAt: now() };
    record.timings.tokensPerSecond = state.timings.trainSeconds > 0 ? state.tokens / state.timings.trainSeconds : 0;
    record.timings.estimatedSeconds = run.estimatedSeconds ?? record.timings.estimatedSeconds ?? null;
    record.timings.wallSeconds = wall();
    if (status !== "running") record.timings.finishedAt = now();
    await writeRunRecord(run.dir, record);
  };
  const flush = async () => {
    await appendJsonl(metricsPath, pending.splice(0));
  };
  const evaluate = async () => {
    const started = performance.now();
    // Tasks at the final step only: the report reads their accuracies there; curve points need validation loss.
    const result = await data.evaluate(model.scorer, { tasks: state.step === t.steps });
    const row: EvalRow = { step: state.step, tokens: state.tokens, ...result };
    await appendJsonl(evalPath, [row]);
    state.timings.evalSeconds += (performance.now() - started) / 1000;
  };
  const checkpoint = async () => {
    await flush();
    state.dataPosition = data.position();
    await model.save(state, data.checkpointFiles);
    await syncRecord("running");
  };

  if (state.step === 0 && state.tokens === 0) await evaluate();
  while (state.step < t.steps) {
    const batch = data.nextBatch();
    const lr = model.lrAt(state.step);
    const started = performance.now();
    const stats = await model.step(batch, lr);
    const seconds = (performance.now() - started) / 1000;
    state.step += 1;
    state.tokens += t.tokensPerStep;
    state.timings.trainSeconds += seconds;
    const tokensPerSecond = t.tokensPerStep / seconds;

    if (!Number.isFinite(stats.loss)) {
      pending.push({ step: state.step, tokens: state.tokens, ...stats, lr, tokensPerSecond });
      await flush();
      record.divergedAtStep = state.step;
      await syncRecord("diverged");
      progress.stop(`diverged at step ${state.step} (loss ${stats.loss})`);
      return "diverged";
    }
    if (state.step % t.logEvery === 0 || state.step === t.steps) {
      const coefficients = model.learnable ? await model.coefficients() : undefined;
      pending.push({ step: state.step, tokens: state.tokens, ...stats, lr, tokensPerSecond, coefficients });
    }
    progress.update({
      step: state.step,
      totalSteps: t.steps,
      tokens: state.tokens,
      loss: stats.ce,
      tokensPerSecond: state.tokens / Math.max(1e-9, state.timings.trainSeconds),
    });
    if (state.step % t.evalEvery === 0 || state.step === t.steps) await evaluate();
    if (state.step % t.checkpointEvery === 0 || state.step === t.steps) await checkpoint();
    else if (ctx.stopRequested()) {
      await checkpoint();
    }
    if (ctx.stopRequested() && state.step < t.steps) {
      progress.stop(`interrupted at step ${state.step}; run reproduce again to resume`);
      return "interrupted";
    }
  }
  await flush();
  await syncRecord("finished");
  progress.stop(
    `finished: ${state.step} steps, ${Math.round(record.timings.tokensPerSecond)} tok/s, ` +
      `${record.timings.trainSeconds.toFixed(1)} s training`,
  );
  return "finished";
}
