/**
 * Every project-owned WGSL program, built at the `paper` rung's shapes
 * (dense 1B, batch 1, sequence 4096) without a GPU, must launch at least
 * 4 × 132 workgroups (four per SM of an H100), or be listed with the reason
 * it cannot; a listed program that reaches the bar fails too, so the list
 * cannot go stale.
 */
import assert from "node:assert/strict";
import { FlatAdamWProgram, FlatSumSquaresProgram } from "../../src/kernels/adamw/mod.ts";
import {
  CausalRowProgram,
  type FlashLayout,
  type FlashPass,
  FlashProgram,
  flashTiles,
  StatsProgram,
} from "../../src/kernels/attention/mod.ts";
import { CrossEntropyForwardProgram, CrossEntropyGradProgram } from "../../src/kernels/cross_entropy/mod.ts";
import { ColumnSumProgram, type WebGPUProgramLike } from "../../src/kernels/fused/mod.ts";
import {
  ProjectionsGradProgram,
  SharedInputMatMulProgram,
  SummedMatMulProgram,
} from "../../src/kernels/projections/mod.ts";
import { TiledMatMulProgram, tiledMatMulShape } from "../../src/kernels/matmul/mod.ts";
import {
  PolyNormDxProgram,
  PolyNormForwardProgram,
  PolyNormStatsProgram,
  PolyReLUDaProgram,
  PolyReLUDxProgram,
  PolyReLUForwardProgram,
} from "../../src/kernels/polycom/mod.ts";
import {
  rmsNormDwTerm,
  RmsNormDxProgram,
  RmsNormForwardProgram,
  RmsNormResidualDxProgram,
  RmsNormStatsProgram,
} from "../../src/kernels/rms_norm/mod.ts";
import { RopeProgram } from "../../src/kernels/rope/webgpu.ts";
import { SwiGLUProgram } from "../../src/kernels/swiglu/webgpu.ts";
import {
  GroupedMatMulProgram,
  GroupedWeightGradProgram,
  MOE_BLOCK_ROWS,
  SelectRowsProgram,
} from "../../src/kernels/moe/mod.ts";
import { countParameters, moeSettings, PAPER_DENSE_1B, PAPER_MOE_1B7B } from "../../src/model/mod.ts";

/** Four workgroups per SM of an H100 SXM (132 SMs). */
const MIN_WORKGROUPS = 4 * 132;

const config = PAPER_DENSE_1B("swiglu");
const polyConfig = PAPER_DENSE_1B("polynorm");
const d = config.hidden_size, heads = config.num_attention_heads, vocab = config.vocab_size;
const seq = config.max_position_embeddings, tokens = seq; // batch 1
const headDim = d / heads, kv = config.num_key_value_heads * headDim;
const gated = config.intermediate_size, plain = polyConfig.intermediate_size;
const params = countParameters(config).total;

/** [a, b, transposeA, transposeB] of the model's products, forward and both backward ones. */
function products(): [string, number[], number[], boolean, boolean][] {
  const linear = (name: string, n: number, k: number): [string, number[], number[], boolean, boolean][] => [
    [`${name} forward`, [tokens, k], [k, n], false, false],
    [`${name} dx`, [tokens, n], [k, n], false, true],
    [`${name} dw`, [tokens, k], [tokens, n], true, false],
  ];
  return [
    ...linear("q/o", d, d),
    ...linear("k/v", kv, d),
    ...linear("gate/up", gated, d),
    ...linear("down", d, gated),
    ...linear("up (non-gated)", plain, d),
    ...linear("down (non-gated)", d, plain),
    ["lm head forward", [tokens, d], [vocab, d], false, true],
    ["lm head dx", [tokens, vocab], [vocab, d], false, false],
    ["lm head dw", [tokens, vocab], [tokens, d], true, false],
    ["scores q·kᵀ", [heads, seq, headDim], [heads, seq, headDim], false, true],
    ["probs·v", [heads, seq, seq], [heads, seq, headDim], false, false],
    ["dv = pᵀ·dy", [heads, seq, seq], [heads, seq, headDim], true, false],
    ["dk = dsᵀ·q", [heads, seq, seq], [heads, seq, headDim], true, false],
  ];
}

/** Programs that cannot reach the bar at these shapes, and why. */
const EXEMPT: Record<string, string> = {
  "PolyNorm da column sum": "one workgroup per coefficient (order + 1 = 4) adds the rows' shares",
};

/** The grouped projections (q/k/v, gate/up) and one-weight products, forward and backward. */
function projectionPrograms(): [string, WebGPUProgramLike][] {
  return [
    ["q/k/v forward (grouped)", new SharedInputMatMulProgram(tokens, d, [d, kv, kv], false)],
    ["q/k/v dx (summed)", new SummedMatMulProgram(tokens, d, 3)],
    ["q/k/v dW (grouped)", new SharedInputMatMulProgram(d, tokens, [d, kv, kv], true)],
    ["gate/up forward (grouped)", new SharedInputMatMulProgram(tokens, d, [gated, gated], false)],
    ["gate/up backward (dx and dW)", new ProjectionsGradProgram(tokens, d, [gated, gated])],
    ["o backward (dx and dW)", new ProjectionsGradProgram(tokens, d, [d])],
    ["down backward (dx and dW)", new ProjectionsGradProgram(tokens, gated, [d])],
    ["down (non-gated) backward", new ProjectionsGradProgram(tokens, plain, [d])],
    ["lm head forward (untied)", new SharedInputMatMulProgram(tokens, d, [vocab], false)],
    ["lm head backward (untied)", new ProjectionsGradProgram(tokens, d, [vocab])],
  ];
}

/** The MoE paper rung's expert products (OLMoE 1B/7B, batch 1, sequence 4096), dropless and block-padded. */
function moePrograms(): [string, WebGPUProgramLike][] {
  const moe = PAPER_MOE_1B7B("swiglu");
  const { numExperts, topK } = moeSettings(moe)!;
  const width = moe.intermediate_size, hidden = moe.hidden_size;
  // At most T·k + E·(block − 1) rows, in whole blocks.
  const rows = Math.ceil((tokens * topK + numExperts * (MOE_BLOCK_ROWS - 1)) / MOE_BLOCK_ROWS) * MOE_BLOCK_ROWS;
  return [
    ["MoE gather rows", new SelectRowsProgram(rows, hidden)],
    ["MoE experts up (grouped)", new GroupedMatMulProgram(rows, width, false)],
    ["MoE experts down dx (grouped, Wᵀ)", new GroupedMatMulProgram(rows, width, true)],
    ["MoE experts up dW", new GroupedWeightGradProgram(numExperts, hidden, width)],
    ["MoE experts down dW", new GroupedWeightGradProgram(numExperts, width, hidden)],
  ];
}

/** The model's attention (row layout, RoPE inside) at WebGPU's default 16 KiB of workgroup memory. */
function attentionPrograms(): [string, WebGPUProgramLike][] {
  const layout: FlashLayout = { batch: 1, seq, heads, kvHeads: config.num_key_value_heads, headDim, rope: true };
  const pass = (p: FlashPass) => new FlashProgram(p, layout, flashTiles(p, headDim, 16384, false));
  return [
    ["attention forward", pass("forward")],
    ["attention stats (lse, D)", new StatsProgram(tokens * heads, headDim)],
    ["attention dq", pass("queries")],
    ["attention dk + dv", pass("keys")],
  ];
}

function programs(): [string, WebGPUProgramLike][] {
  const flat = Math.ceil(params / 4);
  return [
    ["flat sum of squares", new FlatSumSquaresProgram(flat, false)],
    ["flat AdamW", new FlatAdamWProgram(flat, false)],
    ["causal softmax", new CausalRowProgram(heads * seq, seq, "softmax")],
    ["causal softmax backward", new CausalRowProgram(heads * seq, seq, "backward")],
    ["cross-entropy forward", new CrossEntropyForwardProgram(tokens, vocab)],
    ["cross-entropy backward", new CrossEntropyGradProgram(tokens, vocab)],
    ["PolyNorm forward", new PolyNormForwardProgram(tokens, plain, 3)],
    ["PolyNorm stats", new PolyNormStatsProgram(tokens, plain, 3)],
    ["PolyNorm dx", new PolyNormDxProgram(tokens, plain, 3)],
    ["PolyReLU forward", new PolyReLUForwardProgram([tokens, plain], 3)],
    ["PolyReLU dx", new PolyReLUDxProgram([tokens, plain], 3)],
    ["PolyReLU da", new PolyReLUDaProgram(tokens * plain, 3)],
    ["RMSNorm forward", new RmsNormForwardProgram(tokens, d)],
    ["RMSNorm stats", new RmsNormStatsProgram(tokens, d)],
    ["RMSNorm dx", new RmsNormDxProgram(tokens, d)],
    ["RMSNorm dw", new ColumnSumProgram(d, false, rmsNormDwTerm(2))],
    ["residual add + RMSNorm forward", new RmsNormForwardProgram(tokens, d, false, true)],
    ["residual RMSNorm ds", new RmsNormResidualDxProgram(tokens, d, true)],
    ["residual RMSNorm dw", new ColumnSumProgram(d, false, rmsNormDwTerm(1))],
    ["PolyNorm da column sum", new ColumnSumProgram(4)],
    ["RoPE q", new RopeProgram(tokens * d, true)],
    ["RoPE k backward", new RopeProgram(tokens * kv, false)],
    ["SwiGLU forward", new SwiGLUProgram(tokens * gated, "forward")],
    ["SwiGLU backward", new SwiGLUProgram(tokens * gated, "backward")],
    ...attentionPrograms(),
    ...moePrograms(),
    ...projectionPrograms(),
    ...products().map(([name, a, b, ta, tb]): [string, WebGPUProgramLike] => [
      `matmul ${name}`,
      new TiledMatMulProgram(tiledMatMulShape(a, b, ta, tb)!),
    ]),
  ];
}

Deno.test(`every webgpu program launches ≥ ${MIN_WORKGROUPS} workgroups at the paper rung's shapes, or says why not`, () => {
  const short: string[] = [];
  for (const [name, program] of programs()) {
    const groups = program.dispatch.reduce((x, y) => x * y, 1);
    if (name in EXEMPT) {
      assert.ok(groups < MIN_WORKGROUPS, `${name} launches ${groups} workgroups: remove it from EXEMPT`);
    } else if (groups < MIN_WORKGROUPS) short.push(`${name}: ${groups} workgroups (${program.dispatch})`);
  }
  assert.deepEqual(short, [], `programs below ${MIN_WORKGROUPS} workgroups at the paper rung's shapes`);
});
