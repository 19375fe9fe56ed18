/**
 * The suite file schema. A suite names the published experiment it
 * reproduces, the activations it compares, and one configuration per scale.
 * Unknown keys are errors, so a typo never silently falls back to a default.
 * @module
 */
import { z } from "zod";
import { ACTIVATION_IDS } from "../activations/table.ts";
import { isLocalSource } from "../data/sources/local.ts";
import { SOURCES } from "../data/types.ts";

const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).max(1);

/** Model dimensions at one scale; widths of non-gated MLPs follow the activation registry. */
export const ModelDims = z.object({
  /** d_model. */
  hidden: positiveInt,
  layers: positiveInt,
  heads: positiveInt,
  /** Key/value heads (grouped-query attention when fewer than `heads`; default `heads`). */
  kvHeads: positiveInt.optional(),
  /** Tie the output projection to the embedding table (default false). */
  tieEmbeddings: z.boolean().optional(),
  /** SwiGLU hidden width; non-gated activations get 1.5× this (parameter matching). */
  gatedWidth: positiveInt,
  /** MoE only: experts per layer and experts per token. */
  experts: positiveInt.optional(),
  topK: positiveInt.optional(),
  /** QK-norm (on in OLMoE). */
  qkNorm: z.boolean().default(false),
  /**
   * PolyCom order r, up to the kernels' limit (activations' MAX_ORDER = 8; a literal because the report's import
   * graph must stay free of src/activations; tests/suite/data_schema_test.ts fails when they drift).
   */
  polyOrder: z.number().int().min(1).max(8).default(3),
}).strict();
/** Model dimensions at one scale. */
export type ModelDims = z.infer<typeof ModelDims>;

/** Training length, batch shape and evaluation cadence at one scale. */
export const TrainScale = z.object({
  batchSize: positiveInt,
  seqLen: positiveInt,
  /** Token budget of each run. */
  tokens: positiveInt,
  /**
   * Evaluate the validation sources every this many steps (and at step 0 and the end); the zero-shot tasks are
   * scored at the final evaluation only (the report reads task accuracies there and nowhere else).
   */
  evalEvery: positiveInt,
  /** Log a metrics row every this many steps. */
  logEvery: positiveInt.default(1),
  /** Save a checkpoint every this many steps (and at the end). */
  checkpointEvery: positiveInt,
  /** Validation tokens per source. */
  valTokens: positiveInt,
  /** Items in each zero-shot task. */
  taskItems: z.number().int().min(0),
  /** Seeds at this scale (overrides the suite's seeds). */
  seeds: z.array(z.number().int().min(0)).min(1).optional(),
}).strict();
/** Training length and cadence at one scale. */
export type TrainScale = z.infer<typeof TrainScale>;

/** A rung name: lowercase letters, digits, '.', '-' and '_' (e.g. `smoke`, `860k`, `paper`). */
export const RungName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits, '.', '-' and '_'");

/** One rung (scale) of a suite's ladder. */
export const ScaleConfig = z.object({
  model: ModelDims,
  train: TrainScale,
  /**
   * Overrides of the suite's optimizer at this scale (small models need a larger lr and longer warmup).
   * The optimizer schema has no defaults, so `partial()` leaves unset keys unset.
   */
  optimizer: z.lazy(() => OptimizerConfig.partial().strict()).optional(),
  /** Tokenizer at this scale, replacing the suite's (the paper scale uses the paper's vocabulary size). */
  tokenizer: z.lazy(() => TokenizerConfig).optional(),
  /** Why this scale looks like it does, for the report's manifest. */
  notes: z.string().optional(),
  /** This rung's own scale-down manifest entries (added to the suite's shared ones). */
  manifest: z.lazy(() => z.array(ManifestEntry)).optional(),
}).strict();
/** One scale of a suite. */
export type ScaleConfig = z.infer<typeof ScaleConfig>;

/** Optimizer and schedule, as ratios of the paper recipe so they survive scaling. */
export const OptimizerConfig = z.object({
  lrPeak: z.number().positive(),
  /** Floor of the cosine, as a fraction of the peak (dense: 0.1 = 3e-5 / 3e-4). */
  lrMinFraction: fraction,
  /** Warmup as a fraction of the token budget. */
  warmupFraction: fraction,
  /**
   * Cosine horizon as a multiple of the token budget: 1 = decay over the run
   * (dense); 25 = OLMoE's 5T horizon for a 200B run (lr stays near the peak).
   */
  cosineHorizon: z.number().min(1),
  betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
  eps: z.number().positive(),
  weightDecay: z.number().min(0),
  /** "one_dim": no decay on any 1-D parameter (Megatron); "coefficients": only PolyCom coefficients excluded (OLMo). */
  decayExclude: z.enum(["one_dim", "coefficients"]),
  gradClip: z.number().positive(),
  /** Normal init std; `null` uses the recipe's rule (dense: sqrt(2/(5d)); MoE: 0.02). */
  initStd: z.number().positive().nullable(),
}).strict();
/** Optimizer and schedule. */
export type OptimizerConfig = z.infer<typeof OptimizerConfig>;

/**
 * A data source: a shipped one (`brown`, `nlp-corpus`, `synthetic`) or a local one: `text:PATH` (a file, a folder or
 * a glob of text files), `jsonl:PATH#FIELD`, `parquet:PATH#COLUMN` (src/data/sources/local.ts).
 */
const SourceName = z.string().refine(
  (name) => (SOURCES as readonly string[]).includes(name) || isLocalSource(name),
  {
    error: (issue) =>
      `unknown data source '${issue.input}' (expected ${SOURCES.join(", ")}, text:PATH, jsonl:PATH#FIELD or ` +
      `parquet:PATH#COLUMN)`,
  },
);

/**
 * The tokenizer: bytes, our BPE trained on the shipped corpora, or a Hugging Face tokenizer.json file.
 *
 * @example
 * ```ts
 * TokenizerConfig.parse({ huggingface: "gpt2/tokenizer.json" });
 * ```
 */
export const TokenizerConfig = z.union([
  z.literal("byte"),
  z.object({ bpe: positiveInt }).strict(),
  z.object({ huggingface: z.string().min(1) }).strict(),
]);

/** Training data and tokenizer. */
export const DataConfig = z.object({
  /** Training mixture: source name → weight. */
  train: z.record(SourceName, z.number().positive()),
  /** Sources whose validation loss is reported separately. */
  validation: z.array(SourceName).min(1),
  tokenizer: TokenizerConfig,
  /** Seed of the data order; the same for every activation and model seed (paired runs). */
  dataSeed: z.number().int().min(0).default(0),
}).strict();
/** Training data and tokenizer. */
export type DataConfig = z.infer<typeof DataConfig>;

/** A ratio of the paper recipe that a scale keeps or changes, for the manifest. */
export const ManifestEntry = z.object({
  /** Rungs the entry applies to (all when omitted). */
  scales: z.array(RungName).optional(),
  what: z.string(),
  paper: z.string(),
  here: z.string(),
  kept: z.boolean(),
  why: z.string(),
}).strict();
/** A manifest entry. */
export type ManifestEntry = z.infer<typeof ManifestEntry>;

/** What a suite name may be; a shipped suite's file is named after it (`suites/<name>.ts`). */
export const SUITE_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** A whole suite file. */
export const Suite = z.object({
  name: z.string().regex(SUITE_NAME, "lowercase letters, digits, '-' and '_'"),
  description: z.string(),
  /** Id of the published experiment (published.json `experiments[].id`). */
  experiment: z.enum(["dense_1B", "moe_1B_active_7B_total"]),
  family: z.enum(["dense", "moe"]),
  activations: z.array(z.enum(ACTIVATION_IDS)).min(1),
  /** The activation every other one is compared with. */
  baseline: z.enum(ACTIVATION_IDS).default("swiglu"),
  seeds: z.array(z.number().int().min(0)).min(1),
  data: DataConfig,
  optimizer: OptimizerConfig,
  /** MoE auxiliary loss weights (OLMoE: 0.01 and 0.001). */
  moe: z.object({ loadBalancing: z.number().min(0), zLoss: z.number().min(0), normTopK: z.boolean() }).strict()
    .optional(),
  /** The ladder: rung name → configuration, smallest first (the order `--budget` climbs). */
  scales: z.record(RungName, ScaleConfig),
  /**
   * Old or convenience names of rungs (`cpu` → `120k`): accepted by `--scale` with a notice, never written into
   * results (a run records the rung it ran).
   */
  aliases: z.record(RungName, RungName).optional(),
  /** What every rung keeps of the paper recipe and what it changes (rungs add their own entries). */
  manifest: z.array(ManifestEntry).default([]),
  /** The headline comparison (the first two activations) and the paired seeds a budget gives it. */
  headline: z.lazy(() => Headline).optional(),
  /** Recipe sweep: multipliers of the learning rate tried per activation (`reproduce --lr-sweep`). */
  lrSweep: z.lazy(() => Multipliers).optional(),
  /** Recipe sweep: multipliers of the init scale (`initializer_range`) tried per activation (`--init-sweep`). */
  initSweep: z.lazy(() => Multipliers).optional(),
}).strict();

/** Multipliers of a recipe knob, each tried once per activation (no repeats). */
export const Multipliers = z.array(z.number().positive().max(100)).min(1).refine(
  (list) => new Set(list).size === list.length,
  { error: "a multiplier is listed twice" },
);

/**
 * The headline comparison's power: δ is the paper's effect on the final training loss (first activation − second,
 * nats; tests/suite/headline_test.ts keeps it equal to the published data), and the paired seeds a budget plan
 * gives it: at least `minSeeds`, more when the pilot's spread asks for them, at most `maxSeeds`.
 */
export const Headline = z.object({
  paperEffect: z.number().refine((v) => v !== 0, { error: "the paper's effect is not 0" }),
  minSeeds: z.number().int().min(2).default(3),
  maxSeeds: z.number().int().min(2).default(12),
}).strict();
/** The headline comparison's power. */
export type Headline = z.infer<typeof Headline>;
/** A whole suite file (after defaults). */
export type Suite = z.infer<typeof Suite>;
/** A suite as written (before defaults). */
export type SuiteInput = z.input<typeof Suite>;
