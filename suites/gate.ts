/**
 * The CI regression gate's suite: the dense recipe on a model small enough
 * that nine runs (PolyNorm, PolyReLU and SwiGLU × three seeds) take a few
 * minutes on a 2-core CI machine's CPU backend. Its baseline is
 * `baselines/gate.json`, written by `deno task gate --update-baseline`.
 *
 * The gate runs at the `cpu` scale; `smoke` is a smaller copy for tests of
 * the gate itself.
 */
import type { SuiteInput } from "../src/suite/schema.ts";
import dense from "./dense.ts";

const cpu = {
  model: { hidden: 48, layers: 2, heads: 2, gatedWidth: 96, qkNorm: false, polyOrder: 3 },
  train: {
    batchSize: 8,
    seqLen: 64,
    tokens: 8 * 64 * 300, // 300 steps
    evalEvery: 100,
    logEvery: 5,
    checkpointEvery: 100,
    valTokens: 8192,
    taskItems: 64,
  },
  optimizer: { lrPeak: 3e-3, warmupFraction: 0.05 },
  notes: "Gate scale: repeatable on the same backend to the last bit, a few minutes for nine runs on CI.",
};

const suite: SuiteInput = {
  ...dense,
  name: "gate",
  description: "CI regression gate: the dense recipe, PolyNorm and PolyReLU against SwiGLU, three fixed seeds",
  activations: ["polynorm", "polyrelu", "swiglu"],
  seeds: [0, 1, 2],
  // The smoke scale tests the gate itself: two seeds, so the seed spread is measured.
  scales: { smoke: { ...dense.scales.smoke!, train: { ...dense.scales.smoke!.train, seeds: [0, 1] } }, cpu },
  aliases: undefined,
  headline: undefined, // its first two activations are not the paper's headline pair
  manifest: [{
    what: "everything",
    paper: "1B parameters, 250B tokens",
    here: "about 60k parameters, 154k tokens per run",
    kept: false,
    why: "The gate detects changes in our own code; its numbers are compared with its baseline, not with the paper.",
  }],
};

export default suite;
