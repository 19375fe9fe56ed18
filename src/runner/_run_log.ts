/**
 * What a run writes as it trains: its record (`run.json`), metrics rows,
 * evaluations, checkpoints and progress, from the steps' results in order.
 * The training loop in run.ts decides when; this file decides what.
 * @module
 */
import { join } from "node:path";
import type { BackendInfo } from "../backend/mod.ts";
import type { StepResult } from "../model/mod.ts";
import { appendJsonl } from "../results/io.ts";
import {
  type EvalRow,
  type MetricsRow,
  readJsonl,
  RUN_FILES,
  RUN_SCHEMA,
  type RunRecord,
  writeJsonl,
  writeRunRecord,
} from "../results/mod.ts";
import { type CodeVersion, EvalRow as EvalRowSchema, MetricsRow as MetricsRowSchema } from "../results/schema.ts";
import { writeJsonAtomic } from "../util/atomic.ts";
import type { RunData } from "./_data.ts";
import type { RunModel, TrainerState } from "./_model.ts";
import type { PlannedRun } from "./plan.ts";
import type { Progress } from "./progress.ts";

function now(): string {
  return new Date().toISOString();
}

function freshRecord(run: PlannedRun, env: BackendInfo, code: CodeVersion, counts: RunRecord["counts"]): RunRecord {
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
    code,
    env: env as unknown as Record<string, unknown>,
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

/** Whether step `step` (1-based) of `total` falls on an `every` boundary; the last step always does. */
export function due(step: number, every: number, total: number): boolean {
  return step % every === 0 || step === total;
}

/** Where a run starts: the data, the model, and what was already done. */
export interface RunStart {
  run: PlannedRun;
  env: BackendInfo;
  code: CodeVersion;
  data: RunData;
  model: RunModel;
  /** The checkpoint's trainer state, when the model was resumed from one. */
  resumed: TrainerState | null;
  /** The run's record when it has one (a partial run). */
  existing: RunRecord | null;
  progress: Progress;
}

/**
 * The files of one run as it trains. Open it with {@linkcode openRunLog}.
 */
export class RunLog {
  readonly state: TrainerState;
  readonly #start: RunStart;
  readonly #record: RunRecord;
  readonly #wall: () => number;
  /** Metrics rows not yet appended (they are appended at checkpoints and at the end). */
  readonly #pending: MetricsRow[] = [];
  /** Tokens and seconds of the steps since the last metrics row, for its rate. */
  #since = { tokens: 0, seconds: 0 };

  constructor(start: RunStart, state: TrainerState, record: RunRecord, wall: () => number) {
    this.#start = start;
    this.state = state;
    this.#record = record;
    this.#wall = wall;
  }

  #path(file: string): string {
    return join(this.#start.run.dir, file);
  }

  /**
   * Takes one step's result (in step order): updates the counters, keeps a
   * metrics row on logged steps, and shows progress. False when the step
   * diverged (its row is kept; call {@linkcode RunLog.diverged}).
   */
  step(result: StepResult): boolean {
    const t = this.#start.run.config.train;
    const { stats, lr, seconds } = result;
    this.state.step = result.step;
    this.state.tokens += t.tokensPerStep;
    this.state.timings.trainSeconds += seconds;
    this.#since.tokens += t.tokensPerStep;
    this.#since.seconds += seconds;
    const row = () => {
      const tokensPerSecond = this.#since.tokens / Math.max(1e-9, this.#since.seconds);
      this.#since = { tokens: 0, seconds: 0 };
      return { step: this.state.step, tokens: this.state.tokens, ...stats, lr, tokensPerSecond };
    };
    if (!Number.isFinite(stats.loss)) {
      this.#pending.push(row());
      return false;
    }
    if (due(result.step, t.logEvery, t.steps)) this.#pending.push({ ...row(), coefficients: result.coefficients });
    this.#start.progress.update({
      step: this.state.step,
      totalSteps: t.steps,
      tokens: this.state.tokens,
      loss: stats.ce,
      tokensPerSecond: this.state.tokens / Math.max(1e-9, this.state.timings.trainSeconds),
    });
    return true;
  }

  /** Evaluates the model as it is now (tasks at the final step only: the report reads their accuracies there). */
  async evaluate(): Promise<void> {
    const { data, model, run } = this.#start;
    const started = performance.now();
    const result = await data.evaluate(model.scorer, { tasks: this.state.step === run.config.train.steps });
    const row: EvalRow = { step: this.state.step, tokens: this.state.tokens, ...result };
    await appendJsonl(this.#path(RUN_FILES.evals), [row]);
    this.state.timings.evalSeconds += (performance.now() - started) / 1000;
  }

  /** Saves weights, optimizer and data position at the current step (every queued step must be read). */
  async checkpoint(): Promise<void> {
    const { data, model } = this.#start;
    if (model.trainer.steps !== this.state.step) {
      throw new Error(`checkpoint at step ${this.state.step} with ${model.trainer.steps} steps trained`);
    }
    await this.#flush();
    this.state.dataPosition = data.position();
    await model.save(this.state, data.checkpointFiles);
    await this.#sync("running");
  }

  /** Ends a run whose last step diverged. */
  async diverged(result: StepResult): Promise<"diverged"> {
    await this.#flush();
    this.#record.divergedAtStep = this.state.step;
    await this.#sync("diverged");
    this.#start.progress.stop(`diverged at step ${this.state.step} (loss ${result.stats.loss})`);
    return "diverged";
  }

  /** Ends a run stopped by the user (after its checkpoint). */
  interrupted(): "interrupted" {
    this.#start.progress.stop(`interrupted at step ${this.state.step}; run reproduce again to resume`);
    return "interrupted";
  }

  /** Ends a finished run. */
  async finished(): Promise<"finished"> {
    await this.#flush();
    await this.#sync("finished");
    const timings = this.#record.timings;
    this.#start.progress.stop(
      `finished: ${this.state.step} steps, ${Math.round(timings.tokensPerSecond)} tok/s, ` +
        `${timings.trainSeconds.toFixed(1)} s training`,
    );
    return "finished";
  }

  /** Ends a run that threw. */
  async failed(error: unknown): Promise<"failed"> {
    const record = this.#record;
    record.status = "failed";
    record.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    record.timings.updatedAt = now();
    record.timings.wallSeconds = this.#wall();
    await writeRunRecord(this.#start.run.dir, record);
    this.#start.progress.stop(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return "failed";
  }

  async #flush(): Promise<void> {
    await appendJsonl(this.#path(RUN_FILES.metrics), this.#pending.splice(0));
  }

  async #sync(status: RunRecord["status"]): Promise<void> {
    const { run } = this.#start;
    const record = this.#record;
    const { state } = this;
    record.status = status;
    record.progress = { ...record.progress, step: state.step, tokens: state.tokens };
    record.timings = { ...state.timings, updatedAt: now() };
    record.timings.tokensPerSecond = state.timings.trainSeconds > 0 ? state.tokens / state.timings.trainSeconds : 0;
    record.timings.estimatedSeconds = run.estimatedSeconds ?? record.timings.estimatedSeconds ?? null;
    record.timings.wallSeconds = this.#wall();
    if (status !== "running") record.timings.finishedAt = now();
    await writeRunRecord(run.dir, record);
  }
}

/**
 * Opens a run's files: a fresh record and empty logs, or, when the model was
 * resumed, the existing record with the rows logged after the checkpoint cut
 * (they are recomputed, so no step appears twice). Writes `run.json` and the
 * tokenizer. Wall time counts from `sessionStart` (performance.now()).
 *
 * @example
 * ```ts
 * declare const start: RunStart;
 * const log = await openRunLog(start, performance.now());
 * ```
 */
export async function openRunLog(start: RunStart, sessionStart: number): Promise<RunLog> {
  const { run, data, model, resumed, existing } = start;
  const metricsPath = join(run.dir, RUN_FILES.metrics);
  const evalPath = join(run.dir, RUN_FILES.evals);
  let record: RunRecord;
  let state: TrainerState;
  let wallBase = 0;
  if (resumed && existing) {
    state = { ...resumed, timings: { ...resumed.timings, resumes: resumed.timings.resumes + 1 } };
    record = { ...existing, env: start.env as unknown as Record<string, unknown>, code: start.code, status: "running" };
    record.timings = { ...state.timings };
    wallBase = existing.timings.wallSeconds ?? 0;
    data.restore(state.dataPosition);
    await writeJsonl(metricsPath, (await readJsonl(metricsPath, MetricsRowSchema)).filter((r) => r.step <= state.step));
    await writeJsonl(evalPath, (await readJsonl(evalPath, EvalRowSchema)).filter((r) => r.step <= state.step));
  } else {
    record = freshRecord(run, start.env, start.code, model.counts);
    state = { step: 0, tokens: 0, dataPosition: data.position(), timings: { ...record.timings } };
    await writeJsonl(metricsPath, []);
    await writeJsonl(evalPath, []);
  }
  if (model.trainer.steps !== state.step) {
    throw new Error(`the checkpoint's optimizer has ${model.trainer.steps} steps, its trainer state ${state.step}`);
  }
  record.data = data.checksums;
  await writeRunRecord(run.dir, record);
  await writeJsonAtomic(join(run.dir, RUN_FILES.tokenizer), data.tokenizer.toHuggingFace());
  return new RunLog(start, state, record, () => wallBase + (performance.now() - sessionStart) / 1000);
}
