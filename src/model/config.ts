/**
 * Model configuration in Hugging Face `config.json` keys, for both model
 * families: Llama-style dense decoders and OLMoE-style mixture-of-experts
 * decoders. A checkpoint's config.json is exactly this object.
 * @module
 */
import { z } from "zod";
import { activationFromHf, type ActivationSpec, MAX_ORDER } from "../activations/mod.ts";
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
 * const text = await Deno.readTextFile("ckpt/config.json");
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
 * import { PAPER_MOE_1B7B } from "./build_config.ts";
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
 * import { PAPER_MOE_1B7B } from "./build_config.ts";
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
 * import { PAPER_DENSE_1B } from "./build_config.ts";
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
 * import { PAPER_DENSE_1B } from "./build_config.ts";
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
 * import { PAPER_DENSE_1B } from "./build_config.ts";
 * const config = PAPER_DENSE_1B("swiglu");
 * kvWidth({ ...config, num_key_value_heads: 2 }); // 2 · headDim(config)
 * ```
 */
export function kvWidth(config: ModelConfig): number {
  return config.num_key_value_heads * headDim(config);
}
