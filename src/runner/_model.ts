/**
 * The runner's view of the model library: create or resume, the trainer that
 * runs the steps, score, checkpoint. Keeps run.ts free of tfjs details.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SequenceScorer } from "../eval/scorer.ts";
import {
  CHECKPOINT_FILES,
  countParameters,
  createModel,
  flopsPerToken,
  loadCheckpoint,
  lrAt,
  type Model,
  modelScorer,
  READ_GROUP,
  saveCheckpoint,
  Trainer,
  type TrainerOptions,
} from "../model/mod.ts";
import type { RunRecord } from "../results/schema.ts";
import type { ResolvedConfig } from "./plan.ts";

/** What the runner keeps in a checkpoint besides weights and optimizer moments. */
export interface TrainerState {
  step: number;
  tokens: number;
  dataPosition: unknown;
  timings: RunRecord["timings"];
}

/** A model ready to train inside a run. */
export interface RunModel {
  counts: RunRecord["counts"];
  learnable: boolean;
  scorer: SequenceScorer;
  /** Runs the training steps (`queue`, `drain`); its `steps` count resumed steps too. */
  trainer: Trainer;
  /** The learning rate of the step after `step` steps (the config's schedule). */
  lrAt(step: number): number;
  /** Saves the checkpoint after `drain()`; `extraFiles` are JSON files written inside it (the tokenizer). */
  save(state: TrainerState, extraFiles?: Record<string, unknown>): Promise<void>;
  dispose(): void;
}

function wrap(config: ResolvedConfig, model: Model, trainer: Trainer, checkpointDir: string): RunModel {
  const counts = countParameters(config.model);
  const o = config.optimizer;
  const schedule = { peak: o.lrPeak, min: o.lrMin, warmupSteps: o.warmupSteps, horizonSteps: o.horizonSteps };
  return {
    counts: { ...counts, flopsPerToken: flopsPerToken(config.model, config.train.seqLen) },
    learnable: model.activation.learnable,
    scorer: modelScorer(model),
    trainer,
    lrAt: (step) => lrAt(step, schedule),
    save: async (state, extraFiles) =>
      saveCheckpoint(checkpointDir, model, {
        optimizerState: await trainer.exportState(),
        trainerState: state,
        extraFiles,
      }),
    dispose: () => {
      trainer.dispose();
      model.dispose();
    },
  };
}

/**
 * Creates the run's model, or resumes it from the run's checkpoint (weights,
 * optimizer moments and trainer state) when one exists. The trainer reads
 * its steps' statistics `readGroup` at a time (see `Trainer`).
 *
 * @example
 * ```ts
 * import type { ResolvedConfig } from "./plan.ts";
 * declare const config: ResolvedConfig;
 * const { model, resumed } = await openRunModel(config, "results/dense/run/checkpoint");
 * ```
 */
export async function openRunModel(
  config: ResolvedConfig,
  checkpointDir: string,
  readGroup = READ_GROUP,
): Promise<{ model: RunModel; resumed: TrainerState | null }> {
  const o = config.optimizer;
  const trainerOptions: TrainerOptions = {
    betas: o.betas,
    eps: o.eps,
    weightDecay: o.weightDecay,
    decayExclude: o.decayExclude,
    gradClip: o.gradClip,
  };
  if (existsSync(join(checkpointDir, CHECKPOINT_FILES.trainerState))) {
    const loaded = await loadCheckpoint(checkpointDir);
    const trainer = new Trainer(loaded.model, trainerOptions, readGroup);
    if (loaded.optimizerState) trainer.importState(loaded.optimizerState);
    return {
      model: wrap(config, loaded.model, trainer, checkpointDir),
      resumed: loaded.trainerState as TrainerState,
    };
  }
  const model = createModel(config.model, config.seed);
  return { model: wrap(config, model, new Trainer(model, trainerOptions, readGroup), checkpointDir), resumed: null };
}
