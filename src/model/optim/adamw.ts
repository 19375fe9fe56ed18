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
import { adamwConstants, fusedAdamW, hasFlatAdamW, hasFusedAdamW } from "../../kernels/adamw/mod.ts";
import { clipByGlobalNorm } from "./clip.ts";
import { FlatMoments } from "./_flat_moments.ts";

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
 * import type { Model } from "../transformer.ts";
 * declare const model: Model;
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
  decay: boolean;
}

/** Per-parameter moments (cpu, wasm). */
interface Moments {
  m: tf.Variable;
  v: tf.Variable;
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
 * import { tf } from "../../backend/tf.ts";
 * import type { Model } from "../transformer.ts";
 * declare const model: Model;
 * declare const grads: Map<string, tf.Tensor>;
 * const opt = new AdamW(model, { ...PAPER_ADAMW, decayExclude: "one_dim" });
 * tf.tidy(() => opt.applyGradients(grads, 3e-4));
 * ```
 *
 * Where the backend has the flat step (webgpu), the moments are two flat
 * arrays and clipping plus the update of every parameter take two
 * dispatches; elsewhere each parameter has its own moments.
 */
export class AdamW {
  readonly options: AdamWOptions;
  #step = 0;
  readonly #slots = new Map<string, Slot>();
  readonly #moments = new Map<string, Moments>();
  readonly #flat: FlatMoments | null;

  constructor(model: Model, options: AdamWOptions) {
    this.options = options;
    const flat = hasFlatAdamW();
    for (const spec of model.specs) {
      const param = model.params.get(spec.name)!;
      this.#slots.set(spec.name, { spec, param, decay: decays(spec, options.decayExclude) });
      if (!flat) this.#moments.set(spec.name, { m: zeroVariable(param), v: zeroVariable(param) });
    }
    this.#flat = flat ? new FlatMoments([...this.#slots].map(([name, s]) => ({ name, ...s }))) : null;
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
    this.#checkNames(grads);
    if (this.#flat) {
      tf.dispose(this.#flatStep(grads, lr, null));
      return;
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
        m: this.#moments.get(name)!.m as tf.Tensor,
        v: this.#moments.get(name)!.v as tf.Tensor,
        g: grads.get(name) ?? null,
        decay: s.decay,
      }));
      tf.tidy(() => {
        const next = fusedAdamW(slots, constants);
        [...this.#slots.keys()].forEach((name, i) => {
          const moments = this.#moments.get(name)!;
          this.#slots.get(name)!.param.assign(next[i][0]);
          moments.m.assign(next[i][1]);
          moments.v.assign(next[i][2]);
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
        const { m: slotM, v: slotV } = this.#moments.get(name)!;
        const g = grads.get(name);
        const m = g ? tf.add(tf.mul(slotM, B1), tf.mul(g, B1c)) : tf.mul(slotM, B1);
        const v = g ? tf.add(tf.mul(slotV, B2), tf.mul(tf.square(g), B2c)) : tf.mul(slotV, B2);
        slotM.assign(m);
        slotV.assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), BC2), EPS);
        const decayed = slot.decay && decayFactor !== 1 ? tf.mul(slot.param, DECAY) : slot.param;
        slot.param.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), STEP)));
      }
    });
  }

  /**
   * Clips `grads` to global norm `maxNorm` (`null`: no clipping, see
   * {@linkcode clipByGlobalNorm}) and applies one update; returns the norm
   * before clipping. Call inside `tf.tidy`.
   *
   * @example
   * ```ts
   * import { tf } from "../../backend/tf.ts";
   * declare const opt: AdamW;
   * declare const grads: Map<string, tf.Tensor>;
   * const norm = tf.tidy(() => opt.clipAndApply(grads, 1.0, 3e-4));
   * ```
   */
  clipAndApply(grads: ReadonlyMap<string, tf.Tensor>, maxNorm: number | null, lr: number): tf.Scalar {
    if (this.#flat) {
      this.#checkNames(grads);
      return this.#flatStep(grads, lr, maxNorm);
    }
    const names = [...grads.keys()];
    const { clipped, norm } = clipByGlobalNorm([...grads.values()], maxNorm);
    this.applyGradients(new Map(names.map((n, i) => [n, clipped[i]])), lr);
    return norm;
  }

  #checkNames(grads: ReadonlyMap<string, tf.Tensor>): void {
    for (const name of grads.keys()) {
      if (!this.#slots.has(name)) throw new Error(`AdamW: gradient for unknown parameter ${name}`);
    }
  }

  #flatStep(grads: ReadonlyMap<string, tf.Tensor>, lr: number, maxNorm: number | null): tf.Scalar {
    this.#step += 1;
    const { betas, eps, weightDecay } = this.options;
    return this.#flat!.step(grads, adamwConstants(betas, eps, weightDecay, lr, this.#step), maxNorm);
  }

  /**
   * Copies the state out (moments in PyTorch layout).
   *
   * @example
   * ```ts
   * declare const opt: AdamW;
   * const state = await opt.exportState();
   * ```
   */
  async exportState(): Promise<OptimizerState> {
    const expAvg = new Map<string, Float32Array>();
    const expAvgSq = new Map<string, Float32Array>();
    const read = async (which: "m" | "v", name: string, spec: ParameterSpec) => {
      const t = this.#moment(which, name);
      try {
        return await readPyTorchLayout(t, spec);
      } finally {
        if (this.#flat) t.dispose();
      }
    };
    for (const [name, slot] of this.#slots) {
      expAvg.set(name, await read("m", name, slot.spec));
      expAvgSq.set(name, await read("v", name, slot.spec));
    }
    return { step: this.#step, expAvg, expAvgSq };
  }

  /**
   * Restores a state exported by {@linkcode AdamW.exportState} (or read from a checkpoint).
   *
   * @example
   * ```ts
   * declare const opt: AdamW;
   * declare const state: OptimizerState;
   * opt.importState(state);
   * ```
   */
  importState(state: OptimizerState): void {
    const moments = (name: string) => {
      const m = state.expAvg.get(name);
      const v = state.expAvgSq.get(name);
      if (!m || !v) throw new Error(`optimizer state has no moments for ${name}`);
      const spec = this.#slots.get(name)!.spec;
      const n = spec.shape.reduce((a, b) => a * b, 1);
      if (m.length !== n || v.length !== n) throw new Error(`optimizer state for ${name} has the wrong size`);
      return { m: fromPyTorchLayout(m, spec), v: fromPyTorchLayout(v, spec) };
    };
    if (this.#flat) {
      // Every parameter checked before the moments change.
      for (const name of this.#slots.keys()) tf.dispose(Object.values(moments(name)));
      this.#flat.write(moments);
    }
    for (const [name, slot] of this.#moments) {
      tf.tidy(() => {
        const next = moments(name);
        slot.m.assign(next.m);
        slot.v.assign(next.v);
      });
    }
    this.#step = state.step;
  }

  /** Frees the moment buffers. */
  dispose(): void {
    for (const slot of this.#moments.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.#flat?.dispose();
    this.#moments.clear();
    this.#slots.clear();
  }

  /** A parameter's moment in the model's layout (a flat moment's slice is a new tensor). */
  #moment(which: "m" | "v", name: string): tf.Tensor {
    return this.#flat ? this.#flat.read(which, name) : this.#moments.get(name)![which];
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
