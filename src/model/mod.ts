/**
 * The paper's two model families (Llama-style dense, OLMoE-style MoE) in
 * TensorFlow.js: configs in Hugging Face keys, parameter and FLOP counts,
 * the model, its training step, Hugging Face checkpoints, and a scorer for
 * evaluation.
 *
 * @example
 * ```ts
 * import { createModel, lrAt, modelConfigFor, Trainer } from "./mod.ts";
 * const config = modelConfigFor({ family: "dense", activation: "polynorm", hidden: 64, layers: 2, heads: 2,
 *   gatedWidth: 172, vocab: 256 });
 * const model = createModel(config, 0);
 * const trainer = new Trainer(model, { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1, decayExclude: "one_dim",
 *   gradClip: 1 });
 * ```
 * @module
 */
export {
  activationOf,
  headDim,
  isMoe,
  type ModelConfig,
  ModelConfigSchema,
  type MoeSettings,
  moeSettings,
  OLMOE_AUX_WEIGHTS,
  parseModelConfig,
} from "./config.ts";
export {
  defaultInitStd,
  modelConfigFor,
  type ModelConfigOptions,
  PAPER_DENSE_1B,
  PAPER_MOE_1B7B,
} from "./build_config.ts";
export { hfConfigJson } from "./config_json.ts";
export { countParameters, flopsPerToken, type ParameterCounts } from "./counts.ts";
export {
  internalShape,
  numel,
  type ParameterKind,
  type ParameterSpec,
  parameterSpecs,
  storedTransposed,
} from "./parameters.ts";
export { initialValue, initStdFor, OLMO_INIT_CUTOFF } from "./init.ts";
export { rmsNorm } from "./rmsnorm.ts";
export { applyRope, type RopeTables, ropeTables, rotateHalf } from "./rope.ts";
export { type AttentionShape, type AttentionWeights, causalMask, causalSelfAttention } from "./attention.ts";
export { mlp, type MlpWeights } from "./mlp.ts";
export {
  defaultDispatch,
  type HostRouting,
  type MoeDispatch,
  moeLayer,
  type MoeOptions,
  type MoeOutput,
  type MoeWeights,
  routeOnHost,
} from "./moe.ts";
export { type BlockLayout, blockLayout, groupedExperts, layoutBlocks } from "./moe_grouped.ts";
export {
  createModel,
  type ForwardOutput,
  type LossTensors,
  Model,
  type ModelOptions,
  type ParameterSource,
} from "./transformer.ts";
export * from "./optim/mod.ts";
export {
  READ_GROUP,
  type StepResult,
  type StepStats,
  type TrainBatch,
  Trainer,
  type TrainerOptions,
} from "./train_step.ts";
export * from "./checkpoint/mod.ts";
export { MAX_POSITIONS_PER_BATCH, modelScorer, type ModelScorerOptions } from "./scorer.ts";
