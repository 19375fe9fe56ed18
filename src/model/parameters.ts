/**
 * The model's parameters by Hugging Face name, with their PyTorch shapes.
 * One list drives initialisation, checkpoint reading and writing, and the
 * parameter-count test, so they cannot disagree.
 * @module
 */
import { activationOf, kvWidth, type ModelConfig, moeSettings } from "./config.ts";

/** What a parameter is, which decides its init and weight decay. */
export type ParameterKind = "embedding" | "lm_head" | "linear" | "router" | "norm" | "coefficients";

/** One parameter. */
export interface ParameterSpec {
  /** Hugging Face name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  /** PyTorch shape: `[out, in]` for linear weights. */
  shape: number[];
  kind: ParameterKind;
  /** Layer index, or null for embeddings, final norm and head. */
  layer: number | null;
  /** True for o_proj and down_proj, whose init Megatron scales by 1/sqrt(2·layers). */
  outputProjection: boolean;
}

/**
 * Every parameter of a config, in a fixed order (embeddings, layers, final
 * norm, head unless tied). Allocates nothing but this list.
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "./build_config.ts";
 * const config = PAPER_DENSE_1B("swiglu");
 * parameterSpecs(config).find((p) => p.name === "lm_head.weight")?.shape; // [vocab, hidden]
 * ```
 */
export function parameterSpecs(config: ModelConfig): ParameterSpec[] {
  const d = config.hidden_size;
  const w = config.intermediate_size;
  const activation = activationOf(config);
  const moe = moeSettings(config);
  const specs: ParameterSpec[] = [
    {
      name: "model.embed_tokens.weight",
      shape: [config.vocab_size, d],
      kind: "embedding",
      layer: null,
      outputProjection: false,
    },
  ];
  const linear = (name: string, out: number, inp: number, layer: number, outputProjection = false): ParameterSpec => ({
    name,
    shape: [out, inp],
    kind: "linear",
    layer,
    outputProjection,
  });
  const mlpWeights = (prefix: string, layer: number): ParameterSpec[] => [
    ...(activation.gated ? [linear(`${prefix}.gate_proj.weight`, w, d, layer)] : []),
    linear(`${prefix}.up_proj.weight`, w, d, layer),
    linear(`${prefix}.down_proj.weight`, d, w, layer, true),
  ];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    const norm = (name: string): ParameterSpec => ({
      name,
      shape: [d],
      kind: "norm",
      layer: i,
      outputProjection: false,
    });
    specs.push(norm(`${p}.input_layernorm.weight`));
    const kv = kvWidth(config);
    specs.push(linear(`${p}.self_attn.q_proj.weight`, d, d, i));
    for (const x of ["k", "v"]) specs.push(linear(`${p}.self_attn.${x}_proj.weight`, kv, d, i));
    specs.push(linear(`${p}.self_attn.o_proj.weight`, d, d, i, true));
    if (config.qk_norm) {
      specs.push(norm(`${p}.self_attn.q_norm.weight`), { ...norm(`${p}.self_attn.k_norm.weight`), shape: [kv] });
    }
    specs.push(norm(`${p}.post_attention_layernorm.weight`));
    if (moe) {
      specs.push({
        name: `${p}.mlp.gate.weight`,
        shape: [moe.numExperts, d],
        kind: "router",
        layer: i,
        outputProjection: false,
      });
      for (let e = 0; e < moe.numExperts; e++) specs.push(...mlpWeights(`${p}.mlp.experts.${e}`, i));
    } else {
      specs.push(...mlpWeights(`${p}.mlp`, i));
    }
    if (activation.learnable) {
      specs.push({
        name: `${p}.mlp.act_fn.coefficients`,
        shape: [config.poly_order + 1],
        kind: "coefficients",
        layer: i,
        outputProjection: false,
      });
    }
  }
  specs.push({ name: "model.norm.weight", shape: [d], kind: "norm", layer: null, outputProjection: false });
  // Tied embeddings: the head is the embedding table, and transformers writes no lm_head tensor.
  if (config.tie_word_embeddings) return specs;
  specs.push({
    name: "lm_head.weight",
    shape: [config.vocab_size, d],
    kind: "lm_head",
    layer: null,
    outputProjection: false,
  });
  return specs;
}

/**
 * True when the model keeps this parameter transposed relative to PyTorch:
 * every matrix except the embedding table is stored `[in, out]` so the forward
 * pass multiplies without a transposed operand (much faster on wasm).
 *
 * @example
 * ```ts
 * storedTransposed({ kind: "linear" }); // true
 * ```
 */
export function storedTransposed(spec: Pick<ParameterSpec, "kind">): boolean {
  return spec.kind === "linear" || spec.kind === "router" || spec.kind === "lm_head";
}

/**
 * The shape a parameter has inside the model (see {@linkcode storedTransposed}).
 *
 * @example
 * ```ts
 * internalShape({ kind: "linear", shape: [8, 4] }); // [4, 8]
 * ```
 */
export function internalShape(spec: Pick<ParameterSpec, "kind" | "shape">): number[] {
  return storedTransposed(spec) ? [spec.shape[1], spec.shape[0]] : [...spec.shape];
}

/**
 * Number of elements of a shape.
 *
 * @example
 * ```ts
 * numel([2, 3]); // 6
 * ```
 */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
