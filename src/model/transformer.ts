/**
 * The decoder-only transformer (Llama-style dense or OLMoE-style MoE):
 * embedding, pre-norm blocks of attention and MLP/MoE with residuals, final
 * RMSNorm, `lm_head` (or the embedding table, when tied). Parameters are tf.Variables keyed by their
 * Hugging Face names.
 * @module
 */
import type { ActivationSpec } from "../activations/mod.ts";
import { tf } from "../backend/tf.ts";
import { gatherRows, linear, softmaxCrossEntropy } from "./_ops.ts";
import { type AttentionWeights, causalSelfAttention } from "./attention.ts";
import { activationOf, type ModelConfig, type MoeSettings, moeSettings } from "./config.ts";
import { initialValue } from "./init.ts";
import { mlp, type MlpWeights } from "./mlp.ts";
import { type MoeDispatch, moeLayer, type MoeOutput, type MoeWeights } from "./moe.ts";
import { type ParameterSpec, parameterSpecs, storedTransposed } from "./parameters.ts";
import { addRmsNorm, rmsNorm } from "./rmsnorm.ts";

/** Scalar losses of one batch: `loss = ce + aux`. */
export interface LossTensors {
  loss: tf.Scalar;
  /** Mean next-token cross-entropy (nats). */
  ce: tf.Scalar;
  /** Weighted MoE auxiliary losses (load balancing + router z-loss); 0 for dense. */
  aux: tf.Scalar;
}

/** Logits `[b·s, V]`, the weighted auxiliary loss and the MoE routing of a forward pass. */
export interface ForwardOutput {
  logits: tf.Tensor2D;
  aux: tf.Scalar;
  /** The top-k expert ids `[b·s, k]` (int32) of each MoE layer; empty for dense models. */
  routing: tf.Tensor2D[];
}

/** Options of a model beyond its config. */
export interface ModelOptions {
  /** How MoE layers move rows to their experts (default: by backend, see `defaultDispatch` in moe.ts). */
  moeDispatch?: MoeDispatch;
}

interface LayerWeights {
  inputNorm: tf.Tensor1D;
  postNorm: tf.Tensor1D;
  attention: AttentionWeights;
  mlp?: MlpWeights;
  moe?: MoeWeights;
  coefficients?: tf.Tensor1D;
}

/** Produces a parameter's initial value in PyTorch layout. */
export type ParameterSource = (spec: ParameterSpec) => Float32Array;

let modelCount = 0;

/**
 * A decoder model. Linear weights are stored `[in, out]` (transposed
 * relative to PyTorch); {@linkcode Model.exportWeights} returns PyTorch layout.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * import { modelConfigFor } from "./build_config.ts";
 * const config = modelConfigFor({ family: "dense", activation: "swiglu", hidden: 32, layers: 2, heads: 2,
 *   gatedWidth: 64, vocab: 16 });
 * const model = createModel(config, 1234);
 * const logits = await model.logits(tf.tensor2d([[1, 2, 3]], [1, 3], "int32"));
 * model.dispose();
 * ```
 */
export class Model {
  readonly config: ModelConfig;
  readonly activation: ActivationSpec;
  readonly moe: MoeSettings | null;
  readonly specs: readonly ParameterSpec[];
  /** Parameters by Hugging Face name (internal layout, see {@linkcode storedTransposed}). */
  readonly params: ReadonlyMap<string, tf.Variable>;
  readonly #byVariable = new Map<string, string>();
  readonly #layers: LayerWeights[] = [];
  readonly #embed: tf.Variable;
  readonly #finalNorm: tf.Variable;
  /** The `lm_head` `[d, V]`, or null when tied to the embedding table `[V, d]`. */
  readonly #head: tf.Variable | null;
  readonly #moeDispatch: MoeDispatch | undefined;
  #disposed = false;

  constructor(config: ModelConfig, source: ParameterSource, options: ModelOptions = {}) {
    this.config = config;
    this.#moeDispatch = options.moeDispatch;
    this.activation = activationOf(config);
    this.moe = moeSettings(config);
    this.specs = parameterSpecs(config);
    const prefix = `model${modelCount++}/`;
    const params = new Map<string, tf.Variable>();
    for (const spec of this.specs) {
      const data = source(spec);
      if (data.length !== spec.shape.reduce((a, b) => a * b, 1)) {
        throw new Error(`${spec.name}: expected ${spec.shape.join("×")} values, got ${data.length}`);
      }
      const value = tf.tidy(() => {
        const t = tf.tensor(data, spec.shape, "float32");
        return storedTransposed(spec) ? tf.transpose(t) : t;
      });
      const variable = tf.variable(value, true, prefix + spec.name);
      value.dispose();
      params.set(spec.name, variable);
      this.#byVariable.set(variable.name, spec.name);
    }
    this.params = params;
    const get = <T extends tf.Tensor>(name: string) => params.get(name) as unknown as T;
    this.#embed = params.get("model.embed_tokens.weight")!;
    this.#finalNorm = params.get("model.norm.weight")!;
    this.#head = config.tie_word_embeddings ? null : params.get("lm_head.weight")!;
    const expertWeights = (prefix: string): MlpWeights => ({
      gate: this.activation.gated ? get(`${prefix}.gate_proj.weight`) : undefined,
      up: get(`${prefix}.up_proj.weight`),
      down: get(`${prefix}.down_proj.weight`),
    });
    for (let i = 0; i < config.num_hidden_layers; i++) {
      const p = `model.layers.${i}`;
      this.#layers.push({
        inputNorm: get(`${p}.input_layernorm.weight`),
        postNorm: get(`${p}.post_attention_layernorm.weight`),
        attention: {
          q: get(`${p}.self_attn.q_proj.weight`),
          k: get(`${p}.self_attn.k_proj.weight`),
          v: get(`${p}.self_attn.v_proj.weight`),
          o: get(`${p}.self_attn.o_proj.weight`),
          qNorm: config.qk_norm ? get(`${p}.self_attn.q_norm.weight`) : undefined,
          kNorm: config.qk_norm ? get(`${p}.self_attn.k_norm.weight`) : undefined,
        },
        mlp: this.moe ? undefined : expertWeights(`${p}.mlp`),
        moe: this.moe
          ? {
            router: get(`${p}.mlp.gate.weight`),
            experts: Array.from({ length: this.moe.numExperts }, (_, e) => expertWeights(`${p}.mlp.experts.${e}`)),
          }
          : undefined,
        coefficients: this.activation.learnable ? get(`${p}.mlp.act_fn.coefficients`) : undefined,
      });
    }
  }

  /** The Hugging Face name of one of this model's variables (by `variable.name`). */
  hfName(variableName: string): string | undefined {
    return this.#byVariable.get(variableName);
  }

  /** All trainable variables, in parameter-spec order. */
  variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  #assertAlive(): void {
    if (this.#disposed) throw new Error("model was disposed");
  }

  /** The attention block's output for `normed` (the residual add is the caller's). */
  #attention(normed: tf.Tensor2D, layer: LayerWeights, batch: number, seqLen: number): tf.Tensor2D {
    const c = this.config;
    return causalSelfAttention(normed, layer.attention, {
      batch,
      seqLen,
      heads: c.num_attention_heads,
      kvHeads: c.num_key_value_heads,
      ropeTheta: c.rope_theta,
      eps: c.rms_norm_eps,
    });
  }

  /** The MLP (or MoE) block's output for `normed` (the residual add is the caller's). */
  #mlp(normed: tf.Tensor2D, layer: LayerWeights): { out: tf.Tensor2D; moe?: MoeOutput } {
    if (!this.moe) return { out: mlp(normed, layer.mlp!, this.activation, layer.coefficients) };
    const moe = moeLayer(normed, layer.moe!, this.activation, layer.coefficients, {
      topK: this.moe.topK,
      normTopK: this.moe.normTopK,
      dispatch: this.#moeDispatch,
    });
    return { out: moe.y, moe };
  }

  #weightedAux(loadBalancing: tf.Scalar, zLoss: tf.Scalar): tf.Scalar {
    const m = this.moe!;
    const layers = this.config.num_hidden_layers;
    return tf.add(tf.mul(loadBalancing, m.loadBalancingCoef / layers), tf.mul(zLoss, m.zLossCoef / layers));
  }

  #embedTokens(inputs: tf.Tensor2D): tf.Tensor2D {
    const [batch, seqLen] = inputs.shape;
    return gatherRows(this.#embed as tf.Tensor2D, tf.reshape(inputs, [batch * seqLen]));
  }

  #head2d(normed: tf.Tensor2D): tf.Tensor2D {
    if (!this.#head) return tf.matMul(normed, this.#embed as tf.Tensor2D, false, true);
    return linear(normed, this.#head as tf.Tensor2D);
  }

  /**
   * Forward pass: logits `[b·s, V]`, the weighted aux loss and the MoE
   * routing, on every backend; usable inside `tf.grad`.
   *
   * @example
   * ```ts
   * import type { tf } from "../backend/tf.ts";
   * declare const model: Model;
   * declare const inputs: tf.Tensor2D; // token ids [batch, seq]
   * const { logits, aux, routing } = model.forward(inputs);
   * ```
   */
  forward(inputs: tf.Tensor2D): ForwardOutput {
    this.#assertAlive();
    return tf.tidy(() => {
      const [batch, seqLen] = inputs.shape;
      const eps = this.config.rms_norm_eps;
      let h = this.#embedTokens(inputs);
      let lb: tf.Scalar = tf.scalar(0);
      let z: tf.Scalar = tf.scalar(0);
      const routing: tf.Tensor2D[] = [];
      // Each residual add runs with the norm after it (one kernel on webgpu): the post-attention norm, then
      // the next layer's input norm or the final norm.
      let normed = rmsNorm(h, this.#layers[0]?.inputNorm ?? this.#finalNorm, eps) as tf.Tensor2D;
      this.#layers.forEach((layer, i) => {
        [h, normed] = addRmsNorm(h, this.#attention(normed, layer, batch, seqLen), layer.postNorm, eps);
        const r = this.#mlp(normed, layer);
        [h, normed] = addRmsNorm(h, r.out, this.#layers[i + 1]?.inputNorm ?? this.#finalNorm as tf.Tensor1D, eps);
        if (r.moe) {
          lb = tf.add(lb, r.moe.loadBalancing);
          z = tf.add(z, r.moe.zLoss);
          routing.push(r.moe.ids);
        }
      });
      const aux = this.moe ? this.#weightedAux(lb, z) : tf.scalar(0);
      return { logits: this.#head2d(normed), aux, routing };
    });
  }

  /**
   * Next-token logits `[b, s, V]` for int32 tokens `[b, s]`, on any backend.
   *
   * @example
   * ```ts
   * import { tf } from "../backend/tf.ts";
   * declare const model: Model;
   * const logits = await model.logits(tf.tensor2d([[1, 2, 3]], [1, 3], "int32"));
   * ```
   */
  logits(tokens: tf.Tensor2D): Promise<tf.Tensor3D> {
    const [batch, seqLen] = tokens.shape;
    // The promise constructor turns a throw into a rejection, as an async function would.
    return new Promise((resolve) =>
      resolve(tf.tidy(() => tf.reshape(this.forward(tokens).logits, [batch, seqLen, this.config.vocab_size])))
    );
  }

  /**
   * Loss tensors of a batch, on every backend (for use inside `tf.variableGrads`).
   *
   * @example
   * ```ts
   * import type { tf } from "../backend/tf.ts";
   * declare const model: Model;
   * declare const inputs: tf.Tensor2D, targets: tf.Tensor2D; // token ids [batch, seq]
   * const { loss, ce, aux } = model.lossTensors(inputs, targets);
   * ```
   */
  lossTensors(inputs: tf.Tensor2D, targets: tf.Tensor2D): LossTensors {
    return tf.tidy(() => {
      const { logits, aux } = this.forward(inputs);
      const ce = softmaxCrossEntropy(logits, tf.reshape(targets, [targets.size]) as tf.Tensor1D);
      return { loss: tf.add(ce, aux) as tf.Scalar, ce, aux };
    });
  }

  /**
   * Loss of a batch on any backend: `{loss, ce, aux}` scalars (caller disposes).
   *
   * @example
   * ```ts
   * import type { tf } from "../backend/tf.ts";
   * declare const model: Model;
   * declare const inputs: tf.Tensor2D, targets: tf.Tensor2D; // token ids [batch, seq]
   * const { loss } = await model.loss(inputs, targets);
   * console.log(await loss.data());
   * ```
   */
  loss(inputs: tf.Tensor2D, targets: tf.Tensor2D): Promise<LossTensors> {
    return new Promise((resolve) => resolve(this.lossTensors(inputs, targets)));
  }

  /**
   * The PolyCom coefficients `[a0..ar]` of each layer (empty list for
   * activations without coefficients).
   *
   * @example
   * ```ts
   * declare const model: Model;
   * const coefficients = await model.polyCoefficients(); // [[0, 1/3, 1/3, 1/3], ...]
   * ```
   */
  async polyCoefficients(): Promise<number[][]> {
    this.#assertAlive();
    if (!this.activation.learnable) return [];
    const out: number[][] = [];
    for (const layer of this.#layers) out.push(Array.from(await layer.coefficients!.data()));
    return out;
  }

  /**
   * Every parameter in PyTorch layout, by Hugging Face name (copies).
   *
   * @example
   * ```ts
   * declare const model: Model;
   * const weights = await model.exportWeights();
   * weights.get("lm_head.weight"); // Float32Array of vocab × hidden
   * ```
   */
  async exportWeights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const spec of this.specs) out.set(spec.name, await this.exportWeight(spec));
    return out;
  }

  /** One parameter in PyTorch layout. */
  async exportWeight(spec: ParameterSpec): Promise<Float32Array> {
    this.#assertAlive();
    const variable = this.params.get(spec.name)!;
    const t = storedTransposed(spec) ? tf.transpose(variable) : variable;
    const data = await t.data() as Float32Array;
    if (t === variable) return data.slice(); // the cpu backend hands out its own buffer
    t.dispose();
    return data;
  }

  /**
   * Overwrites every parameter from PyTorch-layout values (e.g. a checkpoint).
   *
   * @example
   * ```ts
   * declare const model: Model;
   * const weights = await model.exportWeights(); // or read from a checkpoint
   * model.assignWeights((spec) => weights.get(spec.name)!);
   * ```
   */
  assignWeights(source: ParameterSource): void {
    this.#assertAlive();
    for (const spec of this.specs) {
      const data = source(spec);
      const variable = this.params.get(spec.name)!;
      tf.tidy(() => {
        const t = tf.tensor(data, spec.shape, "float32");
        variable.assign(storedTransposed(spec) ? tf.transpose(t) : t);
      });
    }
  }

  /** Frees every variable. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const v of this.params.values()) v.dispose();
  }
}

/**
 * A freshly initialised model (see init.ts for the per-recipe rules).
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "./build_config.ts";
 * const model = createModel(PAPER_DENSE_1B("polynorm"), 1234); // needs ~5.4 GB
 * ```
 */
export function createModel(config: ModelConfig, seed: number, options: ModelOptions = {}): Model {
  return new Model(config, (spec) => initialValue(config, spec, seed), options);
}
