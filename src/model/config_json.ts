/**
 * The config.json written to checkpoints: Llama or OLMoE keys where stock
 * transformers loads the model as it is, else our shipped modelling code.
 * @module
 */
import { headDim, type ModelConfig } from "./config.ts";

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
 * import { PAPER_DENSE_1B } from "./build_config.ts";
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
 * The config.json object written to checkpoints: the config plus the keys
 * Hugging Face needs to read it as Llama/OLMoE (no biases, float32), or, for
 * the models stock transformers lacks, as our shipped modelling code
 * (`model_type: "polycom"`, `auto_map`; see {@linkcode REMOTE_CODE}).
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "./build_config.ts";
 * const config = PAPER_DENSE_1B("polynorm");
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
