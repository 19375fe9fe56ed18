/**
 * One training step: loss (cross-entropy + MoE auxiliary losses), gradients,
 * global-norm clipping, AdamW. Memory stays flat across steps. A step's
 * statistics stay on the device until they are read, a group of steps at a
 * time while the next steps are queued, so that a device such as a GPU is
 * never left idle waiting for the host to see a loss.
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

/** A step whose statistics have been read: what {@linkcode Trainer.queue} and {@linkcode Trainer.drain} return. */
export interface StepResult {
  /** Steps applied by the optimizer up to and including this one (1-based, counting resumed steps). */
  step: number;
  /** The learning rate the step was queued with. */
  lr: number;
  stats: StepStats;
  /** PolyCom coefficients `[a0..ar]` of each layer right after the step, when it was queued with `coefficients`. */
  coefficients?: number[][];
  /**
   * Wall seconds of the calls that queued this step, including the reads of earlier steps they waited for (the
   * last step a `drain()` returns also carries the drain's wait): summed over the steps, all the training time.
   */
  seconds: number;
}

/**
 * Steps whose statistics are read together by default: one host read per
 * group, so at most 1/10 of a read per step, and a step's statistics are
 * known at most `2 × READ_GROUP − 1` steps after it was queued (the bound on
 * how late a divergence is seen).
 */
export const READ_GROUP = 10;

/** A queued step: its statistics (and coefficients) still on the device. */
interface Queued {
  step: number;
  lr: number;
  /** `[loss, ce, aux, gradNorm, ...coefficients of each layer]`. */
  values: tf.Tensor1D;
  /** Coefficients per layer in `values`, or null when not requested. */
  coefficientSizes: number[] | null;
  seconds: number;
}

/** A group of queued steps whose statistics are being read in one transfer. */
interface Reading {
  steps: Queued[];
  data: Promise<Float32Array>;
}

/**
 * Trains a model in place: the one way a training step is run (runner,
 * probe, warm-up, bench). {@linkcode Trainer.queue} queues a step and
 * returns the statistics of earlier steps as they become known;
 * {@linkcode Trainer.drain} waits for every queued step; {@linkcode Trainer.step}
 * does both for one step.
 *
 * @example
 * ```ts
 * import { modelConfigFor } from "./build_config.ts";
 * import { PAPER_ADAMW } from "./optim/adamw.ts";
 * import { createModel } from "./transformer.ts";
 * const config = modelConfigFor({ family: "dense", activation: "polynorm", hidden: 16, layers: 1, heads: 2,
 *   gatedWidth: 24, vocab: 8 });
 * const model = createModel(config, 0);
 * const trainer = new Trainer(model, { ...PAPER_ADAMW, decayExclude: "one_dim", gradClip: 1.0 });
 * const inputs = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 1]);
 * const targets = Int32Array.from([2, 3, 4, 5, 6, 7, 1, 2]);
 * const stats = await trainer.step({ inputs, targets, batchSize: 2, seqLen: 4 }, 3e-4);
 * console.log(stats.loss, stats.gradNorm);
 * ```
 */
export class Trainer {
  readonly model: Model;
  readonly optimizer: AdamW;
  readonly options: TrainerOptions;
  /** Steps read together (see {@linkcode READ_GROUP}); 0 reads each step before `queue` returns. */
  readonly readGroup: number;
  #waiting: Queued[] = [];
  #reading: Reading | null = null;

  constructor(model: Model, options: TrainerOptions, readGroup = READ_GROUP) {
    if (!Number.isInteger(readGroup) || readGroup < 0) throw new RangeError(`readGroup ${readGroup}: not a count`);
    this.model = model;
    this.options = options;
    this.readGroup = readGroup;
    this.optimizer = new AdamW(model, options);
  }

  /** Steps queued so far, resumed ones included (the optimizer's step count). */
  get steps(): number {
    return this.optimizer.step;
  }

  /**
   * Queues one step at learning rate `lr` and returns the steps whose
   * statistics became known meanwhile, oldest first (often none). With
   * `coefficients`, the step's result carries the PolyCom coefficients right
   * after it.
   *
   * @example
   * ```ts
   * import { lrAt, type LrSchedule } from "./optim/schedule.ts";
   * declare const trainer: Trainer;
   * declare const batch: TrainBatch;
   * declare const schedule: LrSchedule;
   * for (const done of await trainer.queue(batch, lrAt(trainer.steps, schedule))) console.log(done.stats.loss);
   * ```
   */
  async queue(batch: TrainBatch, lr: number, options: { coefficients?: boolean } = {}): Promise<StepResult[]> {
    const started = performance.now();
    const queued = this.#enqueue(batch, lr, options.coefficients ?? false);
    this.#waiting.push(queued);
    let done: StepResult[] = [];
    if (this.readGroup === 0) {
      queued.seconds = (performance.now() - started) / 1000;
      return await this.drain();
    }
    if (this.#waiting.length >= this.readGroup) {
      done = await this.#collect();
      this.#reading = this.#startRead();
    }
    queued.seconds = (performance.now() - started) / 1000;
    return done;
  }

  /**
   * Waits for every queued step and returns the ones not returned yet, oldest first.
   *
   * @example
   * ```ts
   * declare const trainer: Trainer;
   * const rest = await trainer.drain();
   * ```
   */
  async drain(): Promise<StepResult[]> {
    const started = performance.now();
    const done = await this.#collect();
    if (this.#waiting.length > 0) {
      this.#reading = this.#startRead();
      done.push(...await this.#collect());
    }
    if (done.length > 0) done[done.length - 1].seconds += (performance.now() - started) / 1000;
    return done;
  }

  /**
   * Runs one step and waits for it (and any step queued before it): its statistics.
   *
   * @example
   * ```ts
   * declare const trainer: Trainer;
   * declare const batch: TrainBatch;
   * const { loss } = await trainer.step(batch, 3e-4);
   * ```
   */
  async step(batch: TrainBatch, lr: number): Promise<StepStats> {
    const done = [...await this.queue(batch, lr), ...await this.drain()];
    return done[done.length - 1].stats;
  }

  /** Starts reading every waiting step in one transfer. */
  #startRead(): Reading {
    const steps = this.#waiting.splice(0);
    const values = steps.length === 1 ? steps[0].values : tf.concat(steps.map((s) => s.values));
    const data = values.data() as Promise<Float32Array>;
    // Freed once read (or failed), whether or not anyone waits for it.
    data.then(() => values.dispose(), () => values.dispose());
    if (steps.length > 1) { for (const s of steps) s.values.dispose(); }
    return { steps, data };
  }

  /** Waits for the group being read, if any, and returns its steps' results. */
  async #collect(): Promise<StepResult[]> {
    const reading = this.#reading;
    if (!reading) return [];
    this.#reading = null;
    const flat = await reading.data;
    let at = 0;
    return reading.steps.map((q) => {
      const [loss, ce, aux, gradNorm] = flat.subarray(at, at + 4);
      at += 4;
      const result: StepResult = { step: q.step, lr: q.lr, stats: { loss, ce, aux, gradNorm }, seconds: q.seconds };
      if (q.coefficientSizes) {
        result.coefficients = q.coefficientSizes.map((n) => Array.from(flat.subarray(at, at += n)));
      }
      return result;
    });
  }

  /** Records one step on the device: its statistics (and coefficients) stay there. */
  #enqueue(batch: TrainBatch, lr: number, coefficients: boolean): Queued {
    const { batchSize, seqLen } = batch;
    const vocab = this.model.config.vocab_size;
    checkTokens("inputs", batch.inputs, batchSize * seqLen, vocab);
    checkTokens("targets", batch.targets, batchSize * seqLen, vocab);
    const inputs = tf.tensor2d(batch.inputs, [batchSize, seqLen], "int32");
    const targets = tf.tensor2d(batch.targets, [batchSize, seqLen], "int32");
    let ce: tf.Scalar | undefined;
    let aux: tf.Scalar | undefined;
    try {
      const coefficientParams = coefficients ? this.#coefficientParams() : [];
      const values = tf.tidy(() => {
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
        const stats = tf.stack([value, ce!, aux!, norm]) as tf.Tensor1D;
        // The coefficients as the update left them: later steps may change them before this group is read.
        return coefficientParams.length === 0
          ? stats
          : tf.concat([stats, ...coefficientParams.map((p) => tf.reshape(p, [-1]) as tf.Tensor1D)]);
      });
      const coefficientSizes = coefficients ? coefficientParams.map((p) => p.size) : null;
      return { step: this.optimizer.step, lr, values, coefficientSizes, seconds: 0 };
    } finally {
      inputs.dispose();
      targets.dispose();
      ce?.dispose();
      aux?.dispose();
    }
  }

  /** The PolyCom coefficient variables, one per layer in layer order (none for other activations). */
  #coefficientParams(): tf.Variable[] {
    return this.model.specs.filter((s) => s.kind === "coefficients").map((s) => this.model.params.get(s.name)!);
  }

  /**
   * The optimizer state, for a checkpoint.
   *
   * @example
   * ```ts
   * import { saveCheckpoint } from "./checkpoint/mod.ts";
   * declare const trainer: Trainer;
   * await saveCheckpoint("checkpoint", trainer.model, { optimizerState: await trainer.exportState() });
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
   * import { loadCheckpoint } from "./checkpoint/mod.ts";
   * declare const trainer: Trainer;
   * const loaded = await loadCheckpoint("checkpoint");
   * trainer.importState(loaded.optimizerState!);
   * ```
   */
  importState(state: OptimizerState): void {
    this.optimizer.importState(state);
  }

  /** Frees the optimizer state and unread statistics (the model belongs to the caller). */
  dispose(): void {
    for (const q of this.#waiting.splice(0)) q.values.dispose();
    this.#reading = null;
    this.optimizer.dispose();
  }
}
