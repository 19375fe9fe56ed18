/**
 * A training step's GPU memory, estimated from the config: what `gpu-check`
 * uses to pick the rungs that fit an adapter before it allocates anything.
 * It counts float32 tensors only: the weights, their gradients and AdamW's
 * two moments (16 bytes a parameter), the activations kept for the backward
 * pass, and the logits with their gradient. It is an estimate, printed next to
 * the measured peak.
 * @module
 */
import { countParameters, headDim, isMoe, type ModelConfig, moeSettings } from "../../model/mod.ts";
import { attentionMemory } from "../../model/counts.ts";

/** The estimate, in bytes, by part. */
export interface MemoryEstimate {
  /** Weights, gradients and AdamW moments. */
  optimizerState: number;
  /** Activations saved for the backward pass, all layers. */
  activations: number;
  /** Attention's own tensors (`attentionMemory`: saved for the backward pass plus one layer's transient). */
  attention: number;
  /** Logits, their softmax and gradient. */
  logits: number;
  /** The largest single tensor: it must fit one storage buffer binding. */
  largestTensor: number;
  total: number;
}

/**
 * Estimates a training step's memory for `batchSize` sequences of `seqLen`.
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "../../model/mod.ts";
 * const e = estimateTrainingMemory(PAPER_DENSE_1B("swiglu"), 1, 4096);
 * e.attention < 4 * 2 ** 30; // true: tiled attention keeps it linear in the sequence
 * ```
 */
export function estimateTrainingMemory(config: ModelConfig, batchSize: number, seqLen: number): MemoryEstimate {
  const f32 = 4;
  const tokens = batchSize * seqLen;
  const d = config.hidden_size;
  const heads = config.num_attention_heads;
  const params = countParameters(config).total;
  const moe = isMoe(config) ? moeSettings(config) : null;
  // Per token and layer the backward pass keeps the block's input, the two norms and the attention projection's
  // input (about 4·d), and the MLP's inputs to its activation and product (3 widths, over top-k experts for MoE).
  const mlpRows = moe ? moe.topK : 1;
  const perTokenLayer = 4 * d + 3 * config.intermediate_size * mlpRows + (moe ? moe.numExperts : 0);
  const activations = tokens * config.num_hidden_layers * perTokenLayer * f32;
  // The model's attention on webgpu (`ropeAttention`) runs the tiled passes at every sequence length.
  const attentionParts = attentionMemory(config, seqLen, batchSize, true);
  const attention = attentionParts.saved + attentionParts.transient;
  const logits = 3 * tokens * config.vocab_size * f32;
  const largestTensor = Math.max(
    config.vocab_size * d * f32,
    tokens * config.vocab_size * f32,
    tokens * config.intermediate_size * mlpRows * f32,
    tokens * heads * headDim(config) * f32,
  );
  const optimizerState = 16 * params;
  return {
    optimizerState,
    activations,
    attention,
    logits,
    largestTensor,
    total: optimizerState + activations + attention + logits,
  };
}
