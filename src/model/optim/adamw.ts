/**
 * AdamW with decoupled weight decay (PyTorch's `torch.optim.AdamW`, which is
 * also what Megatron's fused Adam in AdamW mode and OLMo compute), with the
 * per-recipe weight-decay masks of the paper's two experiments.
 * @module
 */
import { tf } from "../../backend/tf.ts";
import type { ParameterSpec } from "../parameters.ts";
import { storedTransposed } from "../parameters.ts";
import type { Model } from "../transformer.ts";
import { adamwConstants, fusedAdamW, hasFusedAdamW } from "../../kernels/adamw/mod.ts";

/**
 * Which parameters are excluded from weight decay:
 * - `one_dim` (Megatron, dense recipe): every 1-D parameter (norm gains, PolyCom coefficients);
 * - `coefficients` (OLMo, MoE recipe): only PolyCom coefficients (norms and embeddings decay).
 */
export type DecayRule = "one_dim" | "coefficients";

/** AdamW hyperparameters (the learning rate is given per step). */
export interface AdamWOptions {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  decayExclude: DecayRule;
}

/**
 * The paper's AdamW settings (both recipes): betas (0.9, 0.95), eps 1e-8, weight decay 0.1.
 *
 * @example
 * ```ts
 * new AdamW(model, { ...PAPER_ADAMW, decayExclude: "coefficients" });
 * ```
 */
export const PAPER_ADAMW: Omit<AdamWOptions, "decayExclude"> = { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1 };

/** Everything needed to resume AdamW exactly; moments in PyTorch layout by Hugging Face name. */
export interface OptimizerState {
  /** Updates applied so far (the bias-correction step). */
  step: number;
  expAvg: Map<string, Float32Array>;
  expAvgSq: Map<string, Float32Array>;
}

/**
 * Whether a parameter gets weight decay under a rule.
 *
 * @example
 * ```ts
 * decays({ kind: "norm", shape: [64] }, "one_dim"); // false
 * decays({ kind: "norm", shape: [64] }, "coefficients"); // true
 * ```
 */
export function decays(spec: Pick<ParameterSpec, "kind" | "shape">, rule: DecayRule): boolean {
  if (spec.kind === "coefficients") return false;
  return rule === "one_dim" ? spec.shape.length >= 2 : true;
}

interface Slot {
  spec: ParameterSpec;
  param: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  decay: boolean;
}

/**
 * AdamW over a model's parameters.
 *
 * Update of parameter p with gradient g at step t (1-based), lr η, decay λ:
 * `p ← p·(1 − ηλ)` (decayed parameters only), `m ← β1·m + (1−β1)·g`,
 * `v ← β2·v + (1−β2)·g²`, `p ← p − η/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + eps)`.
 *
 * @example
 * ```ts
 * const opt = new AdamW(model, { ...PAPER_ADAMW, decayExclude: "one_dim" });
 * tf.tidy(() => opt.applyGradients(grads, 3e-4));
 * ```
 */
export class AdamW {
  readonly options: AdamWOptions;
  #step = 0;
  readonly #slots = new Map<string, Slot>();

  constructor(model: Model, options: AdamWOptions) {
    this.options = options;
    for (const spec of model.specs) {
      const param = model.params.get(spec.name)!;
      this.#slots.set(spec.name, {
        spec,
        param,
        m: zeroVariable(param),
        v: zeroVariable(param),
        decay: decays(spec, options.decayExclude),
      });
    }
  }

  /** Updates applied so far. */
  get step(): number {
    return this.#step;
  }

  /**
   * Applies one update. `grads` are by Hugging Face name in the model's
   * internal layout; a parameter without a gradient (an expert no token was
   * routed to) is updated with a zero gradient, as megablocks' stacked expert
   * weights are. Call inside `tf.tidy`.
   */
  applyGradients(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    for (const name of grads.keys()) {
      if (!this.#slots.has(name)) throw new Error(`AdamW: gradient for unknown parameter ${name}`);
    }
    this.#step += 1;
    const [b1, b2] = this.options.betas;
    const stepSize = lr / (1 - Math.pow(b1, this.#step));
    const sqrtBc2 = Math.sqrt(1 - Math.pow(b2, this.#step));
    const decayFactor = 1 - lr * this.options.weightDecay;
    if (hasFusedAdamW()) {
      // One kernel for every parameter, with the same float32 roundings as the ops below.
      const constants = adamwConstants(this.options.betas, this.options.eps, this.options.weightDecay, lr, this.#step);
      const slots = [...this.#slots].map(([name, s]) => ({
        p: s.param as tf.Tensor,
        m: s.m as tf.Tensor,
        v: s.v as tf.Tensor,
        g: grads.get(name) ?? null,
        decay: s.decay,
      }));
      tf.tidy(() => {
        const next = fusedAdamW(slots, constants);
        [...this.#slots.values()].forEach((slot, i) => {
          slot.param.assign(next[i][0]);
          slot.m.assign(next[i][1]);
          slot.v.assign(next[i][2]);
        });
      });
      return;
    }
    tf.tidy(() => {
      // One scalar tensor per constant and step, not one per parameter and use (uploads on WebGPU).
      const [B1, B1c, B2, B2c, BC2, EPS, STEP, DECAY] = [
        b1,
        1 - b1,
        b2,
        1 - b2,
        sqrtBc2,
        this.options.eps,
        stepSize,
        decayFactor,
      ]
        .map((v) => tf.scalar(v));
      for (const [name, slot] of this.#slots) {
        const g = grads.get(name);
        const m = g ? tf.add(tf.mul(slot.m, B1), tf.mul(g, B1c)) : tf.mul(slot.m, B1);
        const v = g ? tf.add(tf.mul(slot.v, B2), tf.mul(tf.square(g), B2c)) : tf.mul(slot.v, B2);
        slot.m.assign(m);
        slot.v.assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), BC2), EPS);
        const decayed = slot.decay && decayFactor !== 1 ? tf.mul(slot.param, DECAY) : slot.param;
        slot.param.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), STEP)));
      }
    });
  }

  /**
   * Copies the state out (moments in PyTorch layout).
   *
   * @example
   * ```ts
   * const state = await opt.exportState();
   * ```
   */
  async exportState(): Promise<OptimizerState> {
    const expAvg = new Map<string, Float32Array>();
    const expAvgSq = new Map<string, Float32Array>();
    for (const [name, slot] of this.#slots) {
      expAvg.set(name, await readPyTorchLayout(slot.m, slot.spec));
      expAvgSq.set(name, await readPyTorchLayout(slot.v, slot.spec));
    }
    return { step: this.#step, expAvg, expAvgSq };
  }

  /**
   * Restores a state exported by {@linkcode AdamW.exportState} (or read from a checkpoint).
   *
   * @example
   * ```ts
   * opt.importState(state);
   * ```
   */
  importState(state: OptimizerState): void {
    for (const [name, slot] of this.#slots) {
      const m = state.expAvg.get(name);
      const v = state.expAvgSq.get(name);
      if (!m || !v) throw new Error(`optimizer state has no moments for ${name}`);
      const n = slot.spec.shape.reduce((a, b) => a * b, 1);
      if (m.length !== n || v.length !== n) throw new Error(`optimizer state for ${name} has the wrong size`);
      tf.tidy(() => {
        slot.m.assign(fromPyTorchLayout(m, slot.spec));
        slot.v.assign(fromPyTorchLayout(v, slot.spec));
      });
    }
    this.#step = state.step;
  }

  /** Frees the moment buffers. */
  dispose(): void {
    for (const slot of this.#slots.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.#slots.clear();
  }
}

function zeroVariable(like: tf.Tensor): tf.Variable {
  const zeros = tf.zerosLike(like);
  const variable = tf.variable(zeros, false);
  zeros.dispose();
  return variable;
}

async function readPyTorchLayout(t: tf.Tensor, spec: ParameterSpec): Promise<Float32Array> {
  const view = storedTransposed(spec) ? tf.transpose(t) : t;
  const data = await view.data() as Float32Array;
  if (view === t) return data.slice(); // the cpu backend hands out its own buffer
  view.dispose();
  return data;
}

function fromPyTorchLayout(data: Float32Array, spec: ParameterSpec): tf.Tensor {
  const t = tf.tensor(data, spec.shape, "float32");
  return storedTransposed(spec) ? tf.transpose(t) : t;
}
