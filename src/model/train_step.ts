/**
 * One training step: loss (cross-entropy + MoE auxiliary losses), gradients,
 * global-norm clipping, AdamW. Memory stays flat across steps and the step
 * reads the device once (the four statistics together).
 * @module
 */
import { tf } from "../backend/tf.ts";
import { AdamW, type AdamWOptions, type OptimizerState } from "./optim/adamw.ts";
import type { Model } from "./transformer.ts";

/** A batch of token ids, row-major `[batchSize, seqLen]`; `targets` are the next tokens of `inputs`. */
export interface TrainBatch {
  inputs: Int32Array;
  targets: Int32Array;
  batchSize: number;
  seqLen: number;
}

/** What a step reports. */
export interface StepStats {
  /** ce + aux. */
  loss: number;
  /** Mean cross-entropy (nats/token). */
  ce: number;
  /** Weighted MoE auxiliary losses (0 for dense). */
  aux: number;
  /** Global gradient L2 norm before clipping. */
  gradNorm: number;
}

/** Optimizer settings of a trainer. */
export interface TrainerOptions extends AdamWOptions {
  /** Global-norm clipping threshold (1.0 in both recipes); null disables clipping. */
  gradClip: number | null;
}

function checkTokens(name: string, ids: Int32Array, expected: number, vocab: number): void {
  if (ids.length !== expected) throw new RangeError(`${name}: expected ${expected} token ids, got ${ids.length}`);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < 0 || id >= vocab) throw new RangeError(`${name}: token id ${id} at ${i} is outside [0, ${vocab})`);
  }
}

/**
 * Trains a model in place.
 *
 * @example
 * ```ts
 * const trainer = new Trainer(model, { ...PAPER_ADAMW, decayExclude: "one_dim", gradClip: 1.0 });
 * const stats = await trainer.step({ inputs, targets, batchSize: 2, seqLen: 16 }, 3e-4);
 * console.log(stats.loss, stats.gradNorm);
 * ```
 */
export class Trainer {
  readonly model: Model;
  readonly optimizer: AdamW;
  readonly options: TrainerOptions;

  constructor(model: Model, options: TrainerOptions) {
    this.model = model;
    this.options = options;
    this.optimizer = new AdamW(model, options);
  }

  /**
   * Runs one step at learning rate `lr` and returns its statistics.
   *
   * @example
   * ```ts
   * const { loss } = await trainer.step(batch, lrAt(step, schedule));
   * ```
   */
  async step(batch: TrainBatch, lr: number): Promise<StepStats> {
    const { batchSize, seqLen } = batch;
    const vocab = this.model.config.vocab_size;
    checkTokens("inputs", batch.inputs, batchSize * seqLen, vocab);
    checkTokens("targets", batch.targets, batchSize * seqLen, vocab);
    const inputs = tf.tensor2d(batch.inputs, [batchSize, seqLen], "int32");
    const targets = tf.tensor2d(batch.targets, [batchSize, seqLen], "int32");
    let ce: tf.Scalar | undefined;
    let aux: tf.Scalar | undefined;
    try {
      const stats = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const r = this.model.lossTensors(inputs, targets);
          // ce and aux outlive the gradient's tidy; they are disposed in `finally`.
          ce = tf.keep(r.ce);
          aux = tf.keep(r.aux);
          return r.loss;
        }, this.model.variables());
        const names: string[] = [];
        const tensors: tf.Tensor[] = [];
        for (const [variableName, grad] of Object.entries(grads)) {
          names.push(this.model.hfName(variableName)!);
          tensors.push(grad);
        }
        const norm = this.optimizer.clipAndApply(
          new Map(names.map((n, i) => [n, tensors[i]])),
          this.options.gradClip,
          lr,
        );
        return tf.stack([value, ce!, aux!, norm]);
      });
      const [loss, ceValue, auxValue, gradNorm] = await stats.data();
      stats.dispose();
      return { loss, ce: ceValue, aux: auxValue, gradNorm };
    } finally {
      inputs.dispose();
      targets.dispose();
      ce?.dispose();
      aux?.dispose();
    }
  }

  /**
   * The optimizer state, for a checkpoint.
   *
   * @example
   * ```ts
   * await saveCheckpoint(dir, model, { optimizerState: await trainer.exportState() });
   * ```
   */
  exportState(): Promise<OptimizerState> {
    return this.optimizer.exportState();
  }

  /**
   * Restores the optimizer state of a checkpoint.
   *
   * @example
   * ```ts
   * trainer.importState(loaded.optimizerState!);
   * ```
   */
  importState(state: OptimizerState): void {
    this.optimizer.importState(state);
  }

  /** Frees the optimizer state (the model belongs to the caller). */
  dispose(): void {
    this.optimizer.dispose();
  }
}
