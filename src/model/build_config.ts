/**
 * Model configs from a suite's model dimensions (the activation's width
 * multiplier applied, the recipe's defaults filled in), and the paper's two
 * models built that way.
 * @module
 */
import { getActivation } from "../activations/mod.ts";
import { UsageError } from "../util/errors.ts";
import { type ModelConfig, parseModelConfig } from "./config.ts";

/** What {@linkcode modelConfigFor} builds a config from (the suite's model dimensions). */
export interface ModelConfigOptions {
  family: "dense" | "moe";
  /** Activation registry name (`swiglu`, `polynorm`, ...). */
  activation: string;
  hidden: number;
  layers: number;
  heads: number;
  /** Key/value heads (default: `heads`; fewer is grouped-query attention). */
  kvHeads?: number;
  /** Tie `lm_head` to the embedding table (default false). */
  tieEmbeddings?: boolean;
  /** SwiGLU hidden width; non-gated activations get `widthMultiplier` × this. */
  gatedWidth: number;
  vocab: number;
  /** Longest sequence (default 4096). */
  maxPositions?: number;
  /** Default: false (the suites set it for the MoE). */
  qkNorm?: boolean;
  /** PolyCom order r (default 3). */
  polyOrder?: number;
  experts?: number;
  topK?: number;
  /** Default false (OLMoE). */
  normTopK?: boolean;
  /** Default 0.01 (OLMoE). */
  loadBalancing?: number;
  /** Default 0.001 (OLMoE). */
  zLoss?: number;
  /** Default: sqrt(2 / (5 · hidden)) for dense (Megatron), 0.02 for MoE (OLMo). */
  initStd?: number;
  /** Default 10000. */
  ropeTheta?: number;
  /** Default 1e-5. */
  rmsNormEps?: number;
}

/**
 * The recipe's default init std: Megatron's sqrt(2 / (5d)) for dense, OLMo's 0.02 for MoE.
 *
 * @example
 * ```ts
 * defaultInitStd("dense", 2048); // 0.013975...
 * ```
 */
export function defaultInitStd(family: "dense" | "moe", hidden: number): number {
  return family === "dense" ? Math.sqrt(2 / (5 * hidden)) : 0.02;
}

/**
 * Builds a config from model dimensions, applying the activation's width
 * multiplier to the gated width (parameter matching: 5504 → 8256, 1024 → 1536).
 *
 * @example
 * ```ts
 * const c = modelConfigFor({ family: "dense", activation: "polynorm", hidden: 128, layers: 4, heads: 4,
 *   gatedWidth: 344, vocab: 256 });
 * c.intermediate_size; // 516
 * ```
 */
export function modelConfigFor(o: ModelConfigOptions): ModelConfig {
  const activation = getActivation(o.activation);
  if (o.family === "moe" && (o.experts === undefined || o.topK === undefined)) {
    throw new UsageError("a MoE model needs experts and topK");
  }
  const qkNorm = o.qkNorm ?? false;
  const raw: Record<string, unknown> = {
    model_type: o.family === "moe" ? "olmoe" : "llama",
    vocab_size: o.vocab,
    hidden_size: o.hidden,
    intermediate_size: Math.round(o.gatedWidth * activation.widthMultiplier),
    num_hidden_layers: o.layers,
    num_attention_heads: o.heads,
    num_key_value_heads: o.kvHeads ?? o.heads,
    tie_word_embeddings: o.tieEmbeddings ?? false,
    rms_norm_eps: o.rmsNormEps ?? 1e-5,
    rope_theta: o.ropeTheta ?? 10000,
    hidden_act: activation.hfName,
    poly_order: o.polyOrder ?? 3,
    qk_norm: qkNorm,
    max_position_embeddings: o.maxPositions ?? 4096,
    initializer_range: o.initStd ?? defaultInitStd(o.family, o.hidden),
  };
  if (o.family === "moe") {
    Object.assign(raw, {
      num_experts: o.experts,
      num_experts_per_tok: o.topK,
      norm_topk_prob: o.normTopK,
      router_aux_loss_coef: o.loadBalancing,
      router_z_loss_coef: o.zLoss,
    });
  }
  return parseModelConfig(raw, `for ${o.family}/${o.activation}`);
}

/**
 * The paper's dense 1B model (24 layers, d 2048, 16 heads, SwiGLU 5504 or
 * non-gated 8256, vocab 32000, context 4096, Megatron init std sqrt(2/(5d))).
 *
 * @example
 * ```ts
 * PAPER_DENSE_1B("polynorm").intermediate_size; // 8256
 * ```
 */
export function PAPER_DENSE_1B(activation: string): ModelConfig {
  return modelConfigFor({
    family: "dense",
    activation,
    hidden: 2048,
    layers: 24,
    heads: 16,
    gatedWidth: 5504,
    vocab: 32000,
    maxPositions: 4096,
  });
}

/**
 * The paper's OLMoE 1B/7B model (16 layers, d 2048, 16 heads, 64 experts
 * top-8, expert width 1024 SwiGLU or 1536 non-gated, QK-norm, vocab 50304,
 * init std 0.02, aux weights 0.01 / 0.001).
 *
 * @example
 * ```ts
 * PAPER_MOE_1B7B("swiglu").num_experts; // 64
 * ```
 */
export function PAPER_MOE_1B7B(activation: string): ModelConfig {
  return modelConfigFor({
    family: "moe",
    activation,
    hidden: 2048,
    layers: 16,
    heads: 16,
    gatedWidth: 1024,
    vocab: 50304,
    maxPositions: 4096,
    qkNorm: true,
    experts: 64,
    topK: 8,
  });
}
