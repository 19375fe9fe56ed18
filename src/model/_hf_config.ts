/**
 * Reading a config.json the way transformers does (4.x and 5.x key styles),
 * for files other tools write: informational keys are dropped, missing keys
 * take `LlamaConfig` / `OlmoeConfig` defaults (transformers 5.18), and a key
 * whose value would change the math in a way this implementation does not
 * compute is an error naming the key and value. The result is the project's
 * own, strict form of the config.
 * @module
 */

/** Defaults of transformers 5.18's `LlamaConfig` (models/llama/configuration_llama.py). */
const LLAMA_DEFAULTS = {
  vocab_size: 32000,
  hidden_size: 4096,
  intermediate_size: 11008,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  hidden_act: "silu",
  max_position_embeddings: 2048,
  initializer_range: 0.02,
  rms_norm_eps: 1e-6,
  tie_word_embeddings: false,
} as const;

/** Defaults of transformers 5.18's `OlmoeConfig` (models/olmoe/configuration_olmoe.py); OLMoE always has QK-norm. */
const OLMOE_DEFAULTS = {
  vocab_size: 50304,
  hidden_size: 2048,
  intermediate_size: 2048,
  num_hidden_layers: 16,
  num_attention_heads: 16,
  hidden_act: "silu",
  max_position_embeddings: 4096,
  initializer_range: 0.02,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: false,
  num_experts: 64,
  num_experts_per_tok: 8,
  qk_norm: true,
  // norm_topk_prob (false) and router_aux_loss_coef (0.01) are filled by parseModelConfig, the one place for
  // the MoE defaults (config.ts OLMOE_AUX_WEIGHTS).
} as const;

/** transformers' `default_theta`. */
const DEFAULT_ROPE_THETA = 10000;

/**
 * Keys transformers writes that carry no model math: `PretrainedConfig`'s
 * common keys (both major versions, generation settings 4.x kept in
 * config.json included), token ids, and keys only used at inference time.
 */
const INFORMATIONAL_KEYS = new Set([
  "_name_or_path",
  "_attn_implementation_autoset",
  "_commit_hash",
  "architectures",
  "auto_map",
  "transformers_version",
  "dtype",
  "torch_dtype",
  "use_cache",
  "bos_token_id",
  "eos_token_id",
  "pad_token_id",
  "sep_token_id",
  "decoder_start_token_id",
  "id2label",
  "label2id",
  "num_labels",
  "chunk_size_feed_forward",
  "is_encoder_decoder",
  "is_decoder",
  "add_cross_attention",
  "cross_attention_hidden_size",
  "tie_encoder_decoder",
  "output_attentions",
  "output_hidden_states",
  "output_router_logits",
  "return_dict",
  "problem_type",
  "tokenizer_class",
  "prefix",
  "task_specific_params",
  "finetuning_task",
  "pruned_heads",
  "torchscript",
  "use_bfloat16",
  "tf_legacy_loss",
  "max_length",
  "min_length",
  "do_sample",
  "early_stopping",
  "num_beams",
  "num_beam_groups",
  "diversity_penalty",
  "temperature",
  "top_k",
  "top_p",
  "typical_p",
  "repetition_penalty",
  "length_penalty",
  "no_repeat_ngram_size",
  "encoder_no_repeat_ngram_size",
  "bad_words_ids",
  "num_return_sequences",
  "output_scores",
  "return_dict_in_generate",
  "forced_bos_token_id",
  "forced_eos_token_id",
  "remove_invalid_values",
  "exponential_decay_length_penalty",
  "suppress_tokens",
  "begin_suppress_tokens",
  "keys_to_ignore_at_inference",
]);

/** Keys that change the math; accepted only with the value this implementation computes. */
const FIXED_VALUE_KEYS: Record<string, (v: unknown) => boolean> = {
  attention_bias: (v) => v === false,
  mlp_bias: (v) => v === false,
  attention_dropout: (v) => v === 0,
  pretraining_tp: (v) => v === 1 || v === null,
  clip_qkv: (v) => v === null,
};

/** Our non-SwiGLU `hidden_act` values that transformers' ACT2FN also knows (with a gated meaning in Llama/OLMoE). */
const TRANSFORMERS_ACTIVATIONS = new Set(["gelu", "relu", "relu2"]);

/** Keys that this project writes and transformers' Llama/OLMoE classes do not know. */
const PROJECT_KEYS = ["poly_order", "qk_norm", "router_z_loss_coef"] as const;

/** Keys of the canonical (project) config, read through as they are. */
const MODEL_KEYS = new Set([
  "model_type",
  "vocab_size",
  "hidden_size",
  "intermediate_size",
  "num_hidden_layers",
  "num_attention_heads",
  "num_key_value_heads",
  "head_dim",
  "rms_norm_eps",
  "rope_theta",
  "hidden_act",
  "max_position_embeddings",
  "initializer_range",
  "tie_word_embeddings",
  "num_experts",
  "num_experts_per_tok",
  "norm_topk_prob",
  "router_aux_loss_coef",
  ...PROJECT_KEYS,
]);

function show(v: unknown): string {
  return JSON.stringify(v);
}

/** rope_parameters (5.x) or rope_scaling (4.x): only the default RoPE is implemented. */
function ropeTheta(json: Record<string, unknown>, problems: string[]): unknown {
  let theta = json.rope_theta;
  for (const key of ["rope_scaling", "rope_parameters"]) {
    const value = json[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${key}: expected an object or null, got ${show(value)}`);
      continue;
    }
    const r = value as Record<string, unknown>;
    const type = r.rope_type ?? r.type ?? "default";
    if (type !== "default") problems.push(`${key}.rope_type: ${show(type)} is not supported (only "default" RoPE)`);
    for (const [k, v] of Object.entries(r)) {
      if (k === "rope_type" || k === "type") continue;
      if (k === "rope_theta") theta = v;
      else if (k === "partial_rotary_factor" && v === 1) continue;
      else problems.push(`${key}.${k}: ${show(v)} is not supported (only default RoPE)`);
    }
  }
  return theta ?? DEFAULT_ROPE_THETA;
}

/**
 * A config.json object (any tool's) in the project's canonical keys, plus the
 * problems found; the caller validates the result strictly.
 *
 * @example
 * ```ts
 * const { config, problems } = fromHfConfig({ model_type: "llama", hidden_size: 64, dtype: "float32" });
 * ```
 */
export function fromHfConfig(json: Record<string, unknown>): { config: Record<string, unknown>; problems: string[] } {
  const problems: string[] = [];
  // "polycom" is our shipped modelling code (config_json.ts REMOTE_CODE), dense or MoE by num_experts.
  const polycom = json.model_type === "polycom";
  const inferred = json.num_experts !== undefined ? "olmoe" : "llama";
  const modelType = polycom ? inferred : json.model_type ?? inferred;
  if (modelType !== "llama" && modelType !== "olmoe") {
    problems.push(`model_type: ${show(modelType)} is not supported (llama, olmoe or polycom)`);
    return { config: {}, problems };
  }
  const config: Record<string, unknown> = { ...(modelType === "llama" ? LLAMA_DEFAULTS : OLMOE_DEFAULTS) };
  if (modelType === "llama") config.qk_norm = false;
  for (const [key, value] of Object.entries(json)) {
    if (MODEL_KEYS.has(key)) config[key] = value;
    else if (key in FIXED_VALUE_KEYS) {
      if (!FIXED_VALUE_KEYS[key](value)) problems.push(`${key}: ${show(value)} is not supported`);
    } else if (key === "num_local_experts") config.num_experts = value; // OlmoeConfig.attribute_map
    else if (key !== "rope_scaling" && key !== "rope_parameters" && !INFORMATIONAL_KEYS.has(key)) {
      problems.push(`${key}: unknown key (not a Llama/OLMoE config key this implementation understands)`);
    }
  }
  config.model_type = modelType;
  config.rope_theta = ropeTheta(json, problems);
  config.num_key_value_heads ??= config.num_attention_heads;
  // Llama's and OLMoE's MLP is always gated: an activation transformers knows means a gated variant of it there,
  // which we do not have. Names only this project uses (polynorm, ...) and configs that carry its keys are ours.
  const ours = polycom || PROJECT_KEYS.some((k) => k in json);
  if (!ours && config.hidden_act !== "silu" && TRANSFORMERS_ACTIVATIONS.has(String(config.hidden_act))) {
    problems.push(
      `hidden_act: ${show(config.hidden_act)} in a ${modelType} config means a gated MLP with that activation, ` +
        `which is not supported (only "silu", i.e. SwiGLU; for our non-gated MLP set "model_type": "polycom")`,
    );
  }
  if (
    typeof config.head_dim === "number" && typeof config.hidden_size === "number" &&
    typeof config.num_attention_heads === "number" &&
    config.head_dim * config.num_attention_heads !== config.hidden_size
  ) {
    problems.push(
      `head_dim: ${config.head_dim} is not supported (must be hidden_size / num_attention_heads = ` +
        `${config.hidden_size / config.num_attention_heads})`,
    );
  }
  delete config.head_dim;
  return { config, problems };
}
