/**
 * Parameter counts and training FLOPs per token, by arithmetic on the config
 * (nothing is allocated, so the paper's 7B MoE is as cheap as a toy).
 * @module
 */
import { activationOf, kvWidth, type ModelConfig, moeSettings } from "./config.ts";

/** Parameter counts of a config. */
export interface ParameterCounts {
  /** Every parameter. */
  total: number;
  /** Parameters used per token (MoE: only top-k experts; dense: all). */
  active: number;
  /** The input embedding table and the `lm_head` (2 · vocab · hidden; vocab · hidden when tied). */
  embedding: number;
  /** total − embedding (includes the final norm). */
  nonEmbedding: number;
}

interface LayerShape {
  /** Parameters of one expert's (or the dense) MLP matrices. */
  mlpMatrices: number;
  /** Attention matrices q, k, v, o (k and v are kvWidth wide under grouped-query attention). */
  attention: number;
  /** Norm gains (input, post-attention, QK-norm) and PolyCom coefficients. */
  vectors: number;
  router: number;
  experts: number;
  topK: number;
}

function layerShape(config: ModelConfig): LayerShape {
  const d = config.hidden_size;
  const activation = activationOf(config);
  const moe = moeSettings(config);
  const mlpMatrices = (activation.gated ? 3 : 2) * d * config.intermediate_size;
  const coefficients = activation.learnable ? config.poly_order + 1 : 0;
  return {
    mlpMatrices,
    attention: 2 * d * d + 2 * d * kvWidth(config),
    vectors: 2 * d + (config.qk_norm ? d + kvWidth(config) : 0) + coefficients,
    router: moe ? moe.numExperts * d : 0,
    experts: moe ? moe.numExperts : 1,
    topK: moe ? moe.topK : 1,
  };
}

/**
 * Counts parameters without allocating.
 *
 * Dense SwiGLU 1B (vocab 32000): total 1,345,423,360. OLMoE 1B/7B: total
 * 6,919,161,856, active 1,282,017,280.
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "./build_config.ts";
 * countParameters(PAPER_DENSE_1B("swiglu")).total; // 1345423360
 * ```
 */
export function countParameters(config: ModelConfig): ParameterCounts {
  const d = config.hidden_size;
  const l = layerShape(config);
  const embedding = (config.tie_word_embeddings ? 1 : 2) * config.vocab_size * d;
  const shared = l.attention + l.vectors + l.router;
  const total = embedding + d + config.num_hidden_layers * (shared + l.experts * l.mlpMatrices);
  const active = embedding + d + config.num_hidden_layers * (shared + l.topK * l.mlpMatrices);
  return { total, active, embedding, nonEmbedding: total - embedding };
}

/**
 * Training FLOPs per token (forward + backward), the 6N rule with attention:
 *
 *   flops = 6 · N_matmul + 12 · L · seqLen · d
 *
 * where N_matmul counts the weights each token multiplies with: per layer the
 * attention projections (2d² + 2·d·kvWidth), the router (E·d) and the MLP matrices of the
 * top-k experts (k · (2 or 3) · d · w), plus the `lm_head` (V·d, tied or
 * not: the product is done either way); the embedding lookup is a gather and
 * is not counted. The attention term is
 * QKᵀ and AV over the full seqLen × seqLen score matrix (2 · 2 · seqLen · d
 * forward per layer, ×3 for training), as in PaLM's MFU; norms, activations
 * and softmax are not counted.
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "./build_config.ts";
 * flopsPerToken(PAPER_DENSE_1B("swiglu"), 4096);
 * ```
 */
export function flopsPerToken(config: ModelConfig, seqLen: number): number {
  const d = config.hidden_size;
  const l = layerShape(config);
  const perLayer = l.attention + l.router + l.topK * l.mlpMatrices;
  const matmulParams = config.num_hidden_layers * perLayer + config.vocab_size * d;
  return 6 * matmulParams + 12 * config.num_hidden_layers * seqLen * d;
}

/** Attention's share of a training step's memory, in bytes (float32). */
export interface AttentionMemory {
  /** What every layer keeps from its forward for the backward (all layers together). */
  saved: number;
  /** The largest extra a single layer's attention holds while it runs (its backward). */
  transient: number;
}

/**
 * Attention memory of one training step at `batchSize` sequences of
 * `seqLen`, by arithmetic on the config (heads after grouped-query repetition).
 * `tiled`: the tiled webgpu kernel (`kernels/attention/webgpu_flash.ts`, from
 * `FLASH_MIN_SEQ` positions up), which keeps q, k, v, out and each row's
 * logsumexp per layer and one layer's dq, dk, dv and row dots; otherwise the
 * fused kernels, which keep q, k, v and the `[seq, seq]` probabilities per
 * layer, and a layer's backward adds dp and ds (`[seq, seq]` each) and dq, dk, dv.
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "./build_config.ts";
 * attentionMemory(PAPER_DENSE_1B("swiglu"), 4096, 1, true).saved; // 3227516928 (3.0 GiB; 26.3 GiB untiled)
 * ```
 */
export function attentionMemory(
  config: ModelConfig,
  seqLen: number,
  batchSize: number,
  tiled: boolean,
): AttentionMemory {
  const rows = batchSize * config.num_attention_heads * seqLen;
  const d = config.hidden_size / config.num_attention_heads;
  const grads = 3 * rows * d;
  const perLayer = tiled ? 4 * rows * d + rows : 3 * rows * d + rows * seqLen;
  const transient = tiled ? grads + rows : grads + 2 * rows * seqLen;
  return { saved: 4 * config.num_hidden_layers * perLayer, transient: 4 * transient };
}
