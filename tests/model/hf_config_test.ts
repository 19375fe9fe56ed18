import assert from "node:assert/strict";
import { parseModelConfig } from "../../src/model/config.ts";
import { countParameters } from "../../src/model/counts.ts";
import { parameterSpecs } from "../../src/model/parameters.ts";
import { UsageError } from "../../src/util/errors.ts";

const FIXTURE = new URL("./fixtures/llama_4x_config.json", import.meta.url);

/** What transformers 5.18 writes for `LlamaConfig(...).save_pretrained` (to_json_string(use_diff=False)). */
const LLAMA_5X = {
  _name_or_path: "",
  architectures: null,
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 1,
  chunk_size_feed_forward: 0,
  dtype: "float32",
  eos_token_id: 2,
  head_dim: 16,
  hidden_act: "silu",
  hidden_size: 64,
  id2label: { "0": "LABEL_0", "1": "LABEL_1" },
  initializer_range: 0.02,
  intermediate_size: 96,
  is_encoder_decoder: false,
  label2id: { LABEL_0: 0, LABEL_1: 1 },
  max_position_embeddings: 2048,
  mlp_bias: false,
  model_type: "llama",
  num_attention_heads: 4,
  num_hidden_layers: 2,
  num_key_value_heads: 2,
  output_attentions: false,
  output_hidden_states: false,
  pad_token_id: null,
  pretraining_tp: 1,
  problem_type: null,
  return_dict: true,
  rms_norm_eps: 1e-06,
  rope_parameters: { rope_theta: 10000.0, rope_type: "default" },
  tie_word_embeddings: true,
  transformers_version: "5.18.0",
  use_cache: true,
  vocab_size: 97,
};

function rejects(json: Record<string, unknown>, pattern: RegExp) {
  assert.throws(() => parseModelConfig(json, "c.json"), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /^invalid model config c\.json: /);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("transformers 5.x config.json: informational keys dropped, GQA and tied embeddings read", () => {
  const c = parseModelConfig(LLAMA_5X);
  assert.equal(c.model_type, "llama");
  assert.equal(c.num_key_value_heads, 2);
  assert.equal(c.tie_word_embeddings, true);
  assert.equal(c.rope_theta, 10000);
  assert.equal(c.rms_norm_eps, 1e-6);
  assert.equal(c.qk_norm, false);
  assert.equal("dtype" in c || "id2label" in c || "head_dim" in c, false);
});

Deno.test("transformers 4.x config.json (torch_dtype, rope_scaling, top-level rope_theta)", async () => {
  const c = parseModelConfig(JSON.parse(await Deno.readTextFile(FIXTURE)));
  assert.equal(c.rope_theta, 500000);
  assert.equal(c.num_key_value_heads, 2);
  assert.equal(c.tie_word_embeddings, true);
  parseModelConfig({ ...LLAMA_5X, rope_parameters: undefined, rope_scaling: { type: "default" } });
});

Deno.test("missing keys take LlamaConfig / OlmoeConfig defaults", () => {
  const llama = parseModelConfig({ model_type: "llama", hidden_size: 64, num_attention_heads: 4, vocab_size: 10 });
  assert.equal(llama.max_position_embeddings, 2048);
  assert.equal(llama.initializer_range, 0.02);
  assert.equal(llama.rms_norm_eps, 1e-6);
  assert.equal(llama.num_key_value_heads, 4);
  assert.equal(llama.intermediate_size, 11008);
  assert.equal(llama.num_hidden_layers, 32);
  const olmoe = parseModelConfig({ model_type: "olmoe" });
  assert.equal(olmoe.num_experts, 64);
  assert.equal(olmoe.num_experts_per_tok, 8);
  assert.equal(olmoe.qk_norm, true);
  assert.equal(olmoe.max_position_embeddings, 4096);
  assert.equal(olmoe.rms_norm_eps, 1e-5);
  assert.equal(olmoe.norm_topk_prob, false);
  assert.equal(olmoe.router_aux_loss_coef, 0.01);
  assert.equal(parseModelConfig({ model_type: "olmoe", num_local_experts: 4, num_experts_per_tok: 2 }).num_experts, 4);
});

Deno.test("math-changing keys we do not implement are errors naming key and value", () => {
  rejects({ ...LLAMA_5X, attention_bias: true }, /attention_bias: true is not supported/);
  rejects({ ...LLAMA_5X, mlp_bias: true }, /mlp_bias: true is not supported/);
  rejects({ ...LLAMA_5X, pretraining_tp: 2 }, /pretraining_tp: 2 is not supported/);
  rejects({ ...LLAMA_5X, attention_dropout: 0.1 }, /attention_dropout: 0.1/);
  rejects({ ...LLAMA_5X, rope_parameters: { rope_type: "llama3", rope_theta: 1e4, factor: 8 } }, /"llama3"/);
  rejects({ ...LLAMA_5X, rope_parameters: undefined, rope_scaling: { type: "linear", factor: 2 } }, /"linear"/);
  rejects({ ...LLAMA_5X, head_dim: 32 }, /head_dim: 32 is not supported/);
  rejects({ ...LLAMA_5X, hidden_act: "gelu" }, /hidden_act: "gelu" in a llama config means a gated MLP/);
  rejects({ ...LLAMA_5X, model_type: "gpt2" }, /model_type: "gpt2" is not supported/);
  rejects({ ...LLAMA_5X, quantization_config: { bits: 4 } }, /quantization_config: unknown key/);
  rejects({ model_type: "olmoe", clip_qkv: 8 }, /clip_qkv: 8 is not supported/);
});

Deno.test("GQA and tied embeddings: parameter shapes and counts", () => {
  const c = parseModelConfig(LLAMA_5X);
  const specs = parameterSpecs(c);
  assert.equal(specs.some((s) => s.name === "lm_head.weight"), false);
  assert.deepEqual(specs.find((s) => s.name === "model.layers.0.self_attn.k_proj.weight")?.shape, [32, 64]);
  assert.deepEqual(specs.find((s) => s.name === "model.layers.0.self_attn.v_proj.weight")?.shape, [32, 64]);
  const total = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const counts = countParameters(c);
  assert.equal(counts.total, total);
  assert.equal(counts.embedding, 97 * 64);
  const qk = parseModelConfig({ ...LLAMA_5X, model_type: "olmoe", num_experts: 4, num_experts_per_tok: 2 });
  const qkSpecs = parameterSpecs(qk);
  assert.deepEqual(qkSpecs.find((s) => s.name === "model.layers.0.self_attn.k_norm.weight")?.shape, [32]);
  assert.equal(countParameters(qk).total, qkSpecs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0));
});
