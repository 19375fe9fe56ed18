import assert from "node:assert/strict";
import { parseModelConfig } from "../../src/model/config.ts";
import { modelConfigFor, PAPER_DENSE_1B, PAPER_MOE_1B7B } from "../../src/model/build_config.ts";
import { hfConfigJson, REMOTE_CODE } from "../../src/model/config_json.ts";
import { countParameters, flopsPerToken } from "../../src/model/counts.ts";
import { decays } from "../../src/model/optim/adamw.ts";
import { numel, parameterSpecs } from "../../src/model/parameters.ts";
import { UsageError } from "../../src/util/errors.ts";
import { tinyConfig } from "./_helpers.ts";

Deno.test("paper dense 1B: 1,345,423,360 parameters with SwiGLU (vocab 32000), +96 PolyCom scalars", () => {
  const swiglu = countParameters(PAPER_DENSE_1B("swiglu"));
  assert.deepEqual(swiglu, {
    total: 1_345_423_360,
    active: 1_345_423_360,
    embedding: 131_072_000,
    nonEmbedding: 1_214_351_360,
  });
  assert.equal(PAPER_DENSE_1B("polynorm").intermediate_size, 8256);
  assert.equal(countParameters(PAPER_DENSE_1B("polynorm")).total, 1_345_423_360 + 96);
  assert.equal(countParameters(PAPER_DENSE_1B("gelu")).total, 1_345_423_360);
});

Deno.test("paper MoE 1B/7B: ~6.9B total, ~1.3B active", () => {
  const c = countParameters(PAPER_MOE_1B7B("swiglu"));
  assert.equal(c.total, 6_919_161_856);
  assert.equal(c.active, 1_282_017_280);
  assert.equal(PAPER_MOE_1B7B("polynorm").intermediate_size, 1536);
  assert.equal(countParameters(PAPER_MOE_1B7B("polynorm")).total, 6_919_161_856 + 16 * 4);
});

Deno.test("counts by arithmetic equal the sum over the parameter list", () => {
  for (const family of ["dense", "moe"] as const) {
    for (const activation of ["swiglu", "polynorm", "gelu"]) {
      const config = tinyConfig(family, activation);
      assert.equal(countParameters(config).total, parameterSpecs(config).reduce((a, s) => a + numel(s.shape), 0));
    }
  }
});

Deno.test("FLOPs per token: 6 · matmul weights + 12 · L · s · d, by hand for a tiny MoE", () => {
  const c = tinyConfig("moe", "swiglu"); // d 8, L 2, w 12, E 4, k 2, V 11
  const perLayer = 4 * 64 + 4 * 8 + 2 * 3 * 8 * 12;
  assert.equal(flopsPerToken(c, 16), 6 * (2 * perLayer + 11 * 8) + 12 * 2 * 16 * 8);
  // Dense 1B at 4096: close to the familiar 6N + attention.
  const dense = flopsPerToken(PAPER_DENSE_1B("swiglu"), 4096);
  assert.ok(Math.abs(dense / 1e9 - 10.095) < 0.001);
});

Deno.test("width multiplier: non-gated activations get 1.5 × the gated width", () => {
  const base = { family: "dense" as const, hidden: 64, layers: 1, heads: 2, gatedWidth: 172, vocab: 32 };
  assert.equal(modelConfigFor({ ...base, activation: "swiglu" }).intermediate_size, 172);
  assert.equal(modelConfigFor({ ...base, activation: "polyrelu" }).intermediate_size, 258);
  assert.equal(modelConfigFor({ ...base, activation: "swiglu" }).initializer_range, Math.sqrt(2 / (5 * 64)));
  assert.throws(() => modelConfigFor({ ...base, activation: "tanh" }), UsageError);
  assert.throws(() => modelConfigFor({ ...base, family: "moe", activation: "swiglu" }), /experts and topK/);
});

Deno.test("config.json: Llama and OLMoE keys; SwiGLU configs name their HF architecture", () => {
  const dense = hfConfigJson(PAPER_DENSE_1B("swiglu"));
  assert.deepEqual(dense.architectures, ["LlamaForCausalLM"]);
  assert.equal(dense.model_type, "llama");
  assert.equal(dense.hidden_act, "silu");
  assert.equal(dense.tie_word_embeddings, false);
  const moe = hfConfigJson(PAPER_MOE_1B7B("swiglu"));
  assert.deepEqual(moe.architectures, ["OlmoeForCausalLM"]);
  assert.equal(moe.num_experts, 64);
  assert.equal(moe.norm_topk_prob, false);
  assert.equal(moe.router_aux_loss_coef, 0.01);
  assert.equal(moe.router_z_loss_coef, 0.001);
  // The others carry our modelling code (checkpoint/remote_code) under a model type stock transformers lacks.
  const polynorm = hfConfigJson(PAPER_DENSE_1B("polynorm"));
  assert.deepEqual(polynorm.architectures, ["PolycomForCausalLM"]);
  assert.equal(polynorm.model_type, "polycom");
  assert.deepEqual(polynorm.auto_map, REMOTE_CODE.autoMap);
  assert.deepEqual(parseModelConfig(polynorm), PAPER_DENSE_1B("polynorm"));
  // What we write parses back to the same config.
  assert.deepEqual(parseModelConfig(JSON.parse(JSON.stringify(moe))), parseModelConfig(moe));
});

Deno.test("parseModelConfig names the bad key", () => {
  const good = hfConfigJson(tinyConfig("dense", "swiglu"));
  const bad = (patch: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(() => parseModelConfig({ ...good, ...patch }, "x.json"), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /^invalid model config x\.json: /);
      assert.match(e.message, pattern);
      return true;
    });
  bad({ hidden_size: -1 }, /hidden_size/);
  bad({ hiden_size: 8 }, /hiden_size/);
  bad({ hidden_act: "tanh" }, /hidden_act/);
  bad({ num_attention_heads: 3, head_dim: undefined }, /not divisible/);
  bad({ num_attention_heads: 4 }, /head_dim: 4 is not supported/);
  bad({ attention_bias: true }, /attention_bias: true is not supported/);
  bad({ num_key_value_heads: 3 }, /num_key_value_heads: 3 does not divide/);
  bad({ num_experts_per_tok: 2 }, /only valid for a MoE/);
  bad({ num_experts: 4, num_experts_per_tok: 2 }, /cannot have num_experts/);
  assert.throws(() => parseModelConfig("nope"), UsageError);
});

Deno.test("weight decay masks follow each recipe", () => {
  const specs = parameterSpecs(tinyConfig("moe", "polynorm"));
  const kinds = (rule: "one_dim" | "coefficients") =>
    Object.fromEntries(["embedding", "lm_head", "linear", "router", "norm", "coefficients"].map((kind) => [
      kind,
      specs.filter((s) => s.kind === kind).every((s) => decays(s, rule)),
    ]));
  // Dense (Megatron): nothing 1-D decays.
  assert.deepEqual(kinds("one_dim"), {
    embedding: true,
    lm_head: true,
    linear: true,
    router: true,
    norm: false,
    coefficients: false,
  });
  // MoE (OLMo): norms and embeddings decay, PolyCom coefficients do not.
  assert.deepEqual(kinds("coefficients"), {
    embedding: true,
    lm_head: true,
    linear: true,
    router: true,
    norm: true,
    coefficients: false,
  });
});
