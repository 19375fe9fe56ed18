/**
 * The paper's dense experiment (PolyCom §4.1, Figure 1): a Llama-2-style 1B
 * decoder trained from scratch with six activations on the same recipe.
 * Paper values come from src/published/data/published.json (experiment dense_1B).
 *
 * The ladder runs from the old `cpu` scale (120k parameters, 410k tokens)
 * through the rung that decides (d128 × 4 layers, 860k parameters, 1.6M
 * tokens) to the paper's configuration, about 4× training compute per rung.
 */
import { PAPER_DENSE_1B } from "../src/model/build_config.ts";
import { type Anchor, buildLadder, ladderScales } from "../src/suite/ladder.ts";
import type { SuiteInput } from "../src/suite/schema.ts";
import { ADAMW, BYTE_VOCAB, DATA, dataManifest, FIRST_RUNG, nearestRung, paperAnchor, smokeRung } from "./_recipe.ts";

const WARMUP = 0.62 / 250; // 0.62B warmup tokens of 250B
const first: Anchor = { ...FIRST_RUNG, gatedWidth: 128, warmupFraction: 0.05 };
/** The smallest rung that can decide the headline comparison: d128 × 4 layers on 1.6M tokens. */
const decides: Anchor = {
  hidden: 128,
  layers: 4,
  heads: 4,
  gatedWidth: 344,
  batchSize: 16,
  seqLen: 128,
  steps: 800,
  lrPeak: 2e-3,
  warmupFraction: 0.05,
  valTokens: 32768,
  taskItems: 1000, // per zero-shot task: a 95% interval of ±3 points around a 1/4 chance level
};
const paper = paperAnchor(PAPER_DENSE_1B("swiglu"), {
  batchSize: 64, // global batch of the released Megatron script
  seqLen: 4096,
  tokens: 250e9,
  lrPeak: 3e-4, // Megatron script: lr 3e-4
  warmupFraction: WARMUP,
  seed: 1234,
});

/** The dense ladder (exported for tests and the README table). */
export const DENSE_LADDER = buildLadder([first, decides, paper], {
  family: "dense",
  baseline: "swiglu",
  qkNorm: false,
  vocab: BYTE_VOCAB,
  paper: { lrPeak: 3e-4, warmupFraction: WARMUP, seqLen: 4096, batchSize: 64, tokensPerParam: 250e9 / 1.345e9 },
});

const suite: SuiteInput = {
  name: "dense",
  description:
    "Dense Llama-style decoder: PolyNorm and PolyReLU against SwiGLU, GELU, ReLU and ReLU² at equal parameters",
  experiment: "dense_1B",
  family: "dense",
  // Paper order of importance: the headline comparison (PolyNorm vs SwiGLU) first, so a budget that cannot fit all
  // six activations keeps the ones that matter most.
  activations: ["polynorm", "swiglu", "polyrelu", "gelu", "relu", "relu2"],
  baseline: "swiglu",
  seeds: [0, 1, 2],
  // The paper's final training-loss gap, PolyNorm − SwiGLU at 250B tokens (Figure 1); six paired seeds at least,
  // so that a pilot's spread near the measured one (0.013 nats) already has the power to detect it.
  headline: { paperEffect: -0.019, minSeeds: 6, maxSeeds: 12 },
  data: DATA,
  optimizer: {
    ...ADAMW,
    lrPeak: 3e-4,
    lrMinFraction: 0.1, // min-lr 3e-5
    warmupFraction: WARMUP,
    cosineHorizon: 1, // cosine decay over the whole run
    decayExclude: "one_dim", // Megatron: no decay on biases and 1-D parameters
    initStd: null, // sqrt(2 / (5 d)) = 0.01398 at d = 2048, output projections / sqrt(2 L)
  },
  scales: ladderScales(
    smokeRung({ hidden: 32, layers: 1, heads: 2, gatedWidth: 64, qkNorm: false, polyOrder: 3 }, {
      lrPeak: 3e-3,
      warmupFraction: 0.1,
    }),
    DENSE_LADDER,
  ),
  aliases: { cpu: DENSE_LADDER[0].name, gpu: nearestRung(DENSE_LADDER, 12e6).name },
  manifest: [
    {
      what: "parameter matching",
      paper: "SwiGLU width 5504, non-gated width 8256 (1.5×)",
      here: "SwiGLU width w, non-gated width 1.5 w",
      kept: true,
      why: "It is what makes the comparison fair; it costs nothing at small scale.",
    },
    {
      what: "schedule shape",
      paper: "linear warmup, cosine to 0.1× peak over the run",
      here: "the same shape over the rung's token budget",
      kept: true,
      why: "Final-loss comparisons depend on where in the cosine the run ends.",
    },
    dataManifest("RedPajama-1T, Llama tokenizer (32000)"),
  ],
};

export default suite;
