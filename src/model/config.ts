/**
 * Model configuration in Hugging Face `config.json` keys, for both model
 * families: Llama-style dense decoders and OLMoE-style mixture-of-experts
 * decoders. A checkpoint's config.json is exactly this object.
 * @module
 */
import { z } from "zod";
import { activationFromHf, type ActivationSpec, getActivation, MAX_ORDER } from "../activations/mod.ts";
import { UsageError } from "../util/errors.ts";
import { fromHfConfig } from "./_hf_config.ts";

const positiveInt = z.number().int().positive();

/**
 * The zod schema of the project's canonical model config (Hugging Face key
 * names, every key present). Strict: {@linkcode parseModelConfig} first maps
 * any tool's config.json onto these keys (see _hf_config.ts), so an unknown
 * key here is a bug, not a file to forgive.
 *
 * @example
 * ```ts
 * ModelConfigSchema.safeParse(JSON.parse(text)).success;
 * ```
 */
export const ModelConfigSchema = z.object({
  /** "llama" for dense, "olmoe" for mixture-of-experts; inferred from `num_experts` when missing. */
  model_type: z.enum(["llama", "olmoe"]).optional(),
  vocab_size: positiveInt,
  hidden_size: positiveInt,
  /** MLP hidden width (per expert in the MoE), already multiplied by the activation's width multiplier. */
  intermediate_size: positiveInt,
  num_hidden_layers: positiveInt,
  num_attention_heads: positiveInt,
  /** Key/value heads; fewer than `num_attention_heads` is grouped-query attention. */
  num_key_value_heads: positiveInt,
  rms_norm_eps: z.number().positive().default(1e-5),
  rope_theta: z.number().positive().default(10000),
  /** `silu` (SwiGLU), `gelu`, `relu`, `relu2`, `silu_nongated`, `polyrelu`, `polynorm`. */
  hidden_act: z.string(),
  /** PolyCom order r (coefficients a0..ar); ignored by other activations. */
  poly_order: z.number().int().min(1).max(MAX_ORDER).default(3),
  /** RMSNorm over the full q and k before the head split (OLMoE). */
  qk_norm: z.boolean().default(false),
  max_position_embeddings: positiveInt,
  /** Normal init std (dense: sqrt(2/(5d)), Megatron; MoE: 0.02, OLMo). */
  initializer_range: z.number().positive(),
  /** The output projection is the input embedding table (no `lm_head.weight`). */
  tie_word_embeddings: z.boolean().default(false),
  num_experts: positiveInt.optional(),
  num_experts_per_tok: positiveInt.optional(),
  norm_topk_prob: z.boolean().optional(),
  router_aux_loss_coef: z.number().min(0).optional(),
  router_z_loss_coef: z.number().min(0).optional(),
}).strict();

/** A validated model configuration (Hugging Face keys, defaults applied, `model_type` filled in). */
export type ModelConfig = z.output<typeof ModelConfigSchema> & { model_type: "llama" | "olmoe" };

/** The MoE part of a config, all keys present. */
export interface MoeSettings {
  numExperts: number;
  topK: number;
  normTopK: boolean;
  loadBalancingCoef: number;
  zLossCoef: number;
}

/**
 * OLMoE's auxiliary loss weights (load balancing, router z-loss).
 *
 * @example
 * ```ts
 * OLMOE_AUX_WEIGHTS.loadBalancing; // 0.01
 * ```
 */
export const OLMOE_AUX_WEIGHTS = { loadBalancing: 0.01, zLoss: 0.001 } as const;

function formatPath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join(".") : "(root)";
}

function crossFieldProblems(c: z.output<typeof ModelConfigSchema>): string[] {
  const problems: string[] = [];
  if (c.hidden_size % c.num_attention_heads !== 0) {
    problems.push(`hidden_size: ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`);
  } else if ((c.hidden_size / c.num_attention_heads) % 2 !== 0) {
    problems.push(`num_attention_heads: head_dim ${c.hidden_size / c.num_attention_heads} must be even for RoPE`);
  }
  if (c.num_attention_heads % c.num_key_value_heads !== 0) {
    problems.push(
      `num_key_value_heads: ${c.num_key_value_heads} does not divide num_attention_heads ${c.num_attention_heads}`,
    );
  }
  try {
    activationFromHf(c.hidden_act);
  } catch (error) {
    problems.push(`hidden_act: ${(error as Error).message}`);
  }
  const moeKeys = ["num_experts", "num_experts_per_tok"] as const;
  const isMoe = c.model_type === "olmoe" || c.num_experts !== undefined;
  if (isMoe) {
    for (const key of moeKeys) if (c[key] === undefined) problems.push(`${key}: required for a MoE model`);
    if (c.model_type === "llama") problems.push(`model_type: 'llama' cannot have num_experts (use 'olmoe')`);
    if (c.num_experts !== undefined && c.num_experts_per_tok !== undefined && c.num_experts_per_tok > c.num_experts) {
      problems.push(`num_experts_per_tok: ${c.num_experts_per_tok} exceeds num_experts ${c.num_experts}`);
    }
  } else {
    for (
      const key of ["num_experts_per_tok", "norm_topk_prob", "router_aux_loss_coef", "router_z_loss_coef"] as const
    ) {
      if (c[key] !== undefined) problems.push(`${key}: only valid for a MoE model (set num_experts)`);
    }
  }
  return problems;
}

/**
 * Validates a parsed config.json. Every problem is reported with its key
 * path in one {@linkcode UsageError}.
 *
 * @example
 * ```ts
 * const config = parseModelConfig(JSON.parse(await Deno.readTextFile("ckpt/config.json")), "ckpt/config.json");
 * config.hidden_size;
 * ```
 */
export function parseModelConfig(json: unknown, source = "config"): ModelConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UsageError(`invalid model config ${source}: expected a JSON object`);
  }
  const read = fromHfConfig(json as Record<string, unknown>);
  if (read.problems.length) throw new UsageError(`invalid model config ${source}: ${read.problems.join("; ")}`);
  const parsed = ModelConfigSchema.safeParse(read.config);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => {
      const keys = issue.code === "unrecognized_keys" ? ` ${issue.keys.map((k) => `'${k}'`).join(", ")}` : "";
      return `${formatPath(issue.path)}: ${issue.message}${keys}`;
    });
    throw new UsageError(`invalid model config ${source}: ${details.join("; ")}`);
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length) throw new UsageError(`invalid model config ${source}: ${problems.join("; ")}`);
  const c = parsed.data;
  const model_type = c.model_type ?? "llama";
  const out: ModelConfig = { ...c, model_type };
  if (model_type === "olmoe") {
    out.norm_topk_prob = c.norm_topk_prob ?? false;
    out.router_aux_loss_coef = c.router_aux_loss_coef ?? OLMOE_AUX_WEIGHTS.loadBalancing;
    out.router_z_loss_coef = c.router_z_loss_coef ?? OLMOE_AUX_WEIGHTS.zLoss;
  }
  return out;
}

/**
 * True for a mixture-of-experts config.
 *
 * @example
 * ```ts
 * isMoe(PAPER_MOE_1B7B("swiglu")); // true
 * ```
 */
export function isMoe(config: ModelConfig): boolean {
  return config.model_type === "olmoe";
}

/**
 * The MoE settings of a config, or null for a dense one.
 *
 * @example
 * ```ts
 * moeSettings(PAPER_MOE_1B7B("swiglu"))?.topK; // 8
 * ```
 */
export function moeSettings(config: ModelConfig): MoeSettings | null {
  if (!isMoe(config)) return null;
  return {
    numExperts: config.num_experts!,
    topK: config.num_experts_per_tok!,
    // parseModelConfig filled these for every MoE config.
    normTopK: config.norm_topk_prob!,
    loadBalancingCoef: config.router_aux_loss_coef!,
    zLossCoef: config.router_z_loss_coef!,
  };
}

/**
 * The activation a config uses.
 *
 * @example
 * ```ts
 * activationOf(PAPER_DENSE_1B("polynorm")).learnable; // true
 * ```
 */
export function activationOf(config: ModelConfig): ActivationSpec {
  return activationFromHf(config.hidden_act);
}

/**
 * Size of one attention head.
 *
 * @example
 * ```ts
 * headDim(PAPER_DENSE_1B("swiglu")); // 128
 * ```
 */
export function headDim(config: ModelConfig): number {
  return config.hidden_size / config.num_attention_heads;
}

/**
 * Width of the k and v projections: key/value heads × head size.
 *
 * @example
 * ```ts
 * kvWidth({ ...config, num_key_value_heads: 2 }); // 2 · headDim(config)
 * ```
 */
export function kvWidth(config: ModelConfig): number {
  return config.num_key_value_heads * headDim(config);
}

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
 * The modelling code shipped with checkpoints that stock transformers cannot
 * load (src/model/checkpoint/remote_code/*.py): file names, classes, and the
 * config.json `auto_map` that points at them.
 *
 * @example
 * ```ts
 * REMOTE_CODE.autoMap.AutoModelForCausalLM; // "modeling_polycom.PolycomForCausalLM"
 * ```
 */
export const REMOTE_CODE = {
  modelType: "polycom",
  architecture: "PolycomForCausalLM",
  files: ["configuration_polycom.py", "modeling_polycom.py"],
  autoMap: {
    AutoConfig: "configuration_polycom.PolycomConfig",
    AutoModelForCausalLM: "modeling_polycom.PolycomForCausalLM",
  },
} as const;

/**
 * The Hugging Face `architectures` entry for configs that stock transformers
 * loads as they are: Llama (dense SwiGLU without QK-norm) and OLMoE (MoE
 * SwiGLU with QK-norm); null for the others, which need our modelling code.
 *
 * @example
 * ```ts
 * stockArchitecture(PAPER_DENSE_1B("swiglu")); // "LlamaForCausalLM"
 * ```
 */
export function stockArchitecture(config: ModelConfig): "LlamaForCausalLM" | "OlmoeForCausalLM" | null {
  if (config.hidden_act !== "silu") return null;
  if (config.model_type === "llama" && !config.qk_norm) return "LlamaForCausalLM";
  if (config.model_type === "olmoe" && config.qk_norm) return "OlmoeForCausalLM";
  return null;
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

/**
 * The config.json object written to checkpoints: the config plus the keys
 * Hugging Face needs to read it as Llama/OLMoE (no biases, float32), or, for
 * the models stock transformers lacks, as our shipped modelling code
 * (`model_type: "polycom"`, `auto_map`; see {@linkcode REMOTE_CODE}).
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("ckpt/config.json", JSON.stringify(hfConfigJson(config), null, 2));
 * ```
 */
export function hfConfigJson(config: ModelConfig): Record<string, unknown> {
  const architecture = stockArchitecture(config);
  const remote = architecture ? {} : {
    architectures: [REMOTE_CODE.architecture],
    auto_map: REMOTE_CODE.autoMap,
  };
  return {
    ...(architecture ? { architectures: [architecture] } : {}),
    ...config,
    // Our own modelling code: a model type stock transformers does not know, so it never loads the
    // checkpoint as a (gated) Llama by mistake; `trust_remote_code=True` loads it through auto_map.
    ...(architecture ? {} : { model_type: REMOTE_CODE.modelType }),
    ...remote,
    head_dim: headDim(config),
    attention_bias: false,
    mlp_bias: false,
    torch_dtype: "float32",
  };
}
