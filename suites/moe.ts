/**
 * The paper's MoE experiment (PolyCom §4.2, Figures 3-4): OLMoE-1B-7B with
 * SwiGLU experts against PolyNorm experts at equal parameters.
 * Paper values come from src/published/data/published.json (experiment moe_1B_active_7B_total).
 *
 * The ladder runs from the old `cpu` scale (8 experts, top-2) to the paper's
 * configuration (64 experts, top-8), about 4× training compute per rung;
 * rungs are named after their active parameters.
 */
import { PAPER_MOE_1B7B } from "../src/model/build_config.ts";
import { type Anchor, buildLadder, ladderScales } from "../src/suite/ladder.ts";
import type { SuiteInput } from "../src/suite/schema.ts";
import { ADAMW, BYTE_VOCAB, DATA, dataManifest, FIRST_RUNG, nearestRung, paperAnchor, smokeRung } from "./_recipe.ts";

const WARMUP = 10.49 / 200; // 10.49B warmup tokens of 200B
const first: Anchor = { ...FIRST_RUNG, gatedWidth: 32, experts: 8, topK: 2, warmupFraction: WARMUP };
const paper = paperAnchor(PAPER_MOE_1B7B("swiglu"), {
  batchSize: 1024,
  seqLen: 4096,
  tokens: 200e9,
  lrPeak: 4e-4, // OLMoE-1B-7B-0924 config
  warmupFraction: WARMUP,
  seed: 6198,
});

/** The MoE ladder (exported for tests and the README table). */
export const MOE_LADDER = buildLadder([first, paper], {
  family: "moe",
  baseline: "swiglu",
  qkNorm: true,
  vocab: BYTE_VOCAB,
  paper: { lrPeak: 4e-4, warmupFraction: WARMUP, seqLen: 4096, batchSize: 1024, tokensPerParam: 200e9 / 1.282e9 },
});

const suite: SuiteInput = {
  name: "moe",
  description:
    "OLMoE-style fine-grained MoE (token choice, dropless, QK-norm): PolyNorm experts against SwiGLU experts",
  experiment: "moe_1B_active_7B_total",
  family: "moe",
  activations: ["polynorm", "swiglu"],
  baseline: "swiglu",
  seeds: [0, 1, 2],
  // The paper's final training-loss gap, PolyNorm − SwiGLU at the last plotted point (202B tokens, Figure 3).
  headline: { paperEffect: -0.0141, minSeeds: 3, maxSeeds: 12 },
  data: DATA,
  optimizer: {
    ...ADAMW,
    lrPeak: 4e-4,
    lrMinFraction: 0.1, // alpha_f 0.1
    warmupFraction: WARMUP,
    cosineHorizon: 25, // t_max 5T tokens for a 200B run: the lr stays within 0.4% of the peak
    decayExclude: "coefficients", // OLMo decays norms and embeddings, not the PolyNorm coefficients
    initStd: 0.02,
  },
  moe: { loadBalancing: 0.01, zLoss: 0.001, normTopK: false },
  scales: ladderScales(
    smokeRung(
      { hidden: 32, layers: 1, heads: 2, gatedWidth: 16, experts: 4, topK: 2, qkNorm: true, polyOrder: 3 },
      { lrPeak: 3e-3 },
    ),
    MOE_LADDER,
  ),
  aliases: { cpu: MOE_LADDER[0].name, gpu: nearestRung(MOE_LADDER, 12e6).name },
  manifest: [
    {
      what: "parameter matching",
      paper: "SwiGLU experts 1024 wide, PolyNorm experts 1536 wide (1.5×)",
      here: "SwiGLU experts w wide, PolyNorm experts 1.5 w wide",
      kept: true,
      why: "Equal total and active parameters make the comparison fair.",
    },
    {
      what: "expert granularity (expert width / d_model)",
      paper: "1024 / 2048 = 0.5",
      here: "0.5 at every rung",
      kept: true,
      why: "Fine-grained experts are part of the OLMoE design the paper tests.",
    },
    {
      what: "experts : top-k",
      paper: "64 : 8 (8 to 1)",
      here: "8 : 2 at the smallest rung, growing log-linearly to 64 : 8 at the paper rung",
      kept: false,
      why:
        "On a CPU every expert is a separate gather-matmul-scatter; 8 experts keep routing real at a cost we can pay.",
    },
    {
      what: "learning-rate schedule",
      paper: "warmup 5.2% of tokens, cosine over a 25× longer horizon (lr ≈ constant)",
      here: "the same fractions and horizon",
      kept: true,
      why: "Ratios of the token budget carry over to any run length.",
    },
    {
      what: "auxiliary losses",
      paper: "load balancing 0.01, router z-loss 0.001, no top-k renormalisation",
      here: "the same",
      kept: true,
      why: "They shape routing, which the activation interacts with.",
    },
    dataManifest("OLMoE-mix-0924, GPT-NeoX tokenizer (50304)"),
  ],
};

export default suite;
