/**
 * The result files: the contract between the runner (writer) and the report
 * and gate (readers). Readers validate with these schemas and never import
 * tfjs or the model.
 *
 * A run directory `results/<suite>/<run-id>/` holds:
 * - `run.json`: {@linkcode RunRecord}, rewritten atomically as the run goes;
 * - `metrics.jsonl`: one {@linkcode MetricsRow} per logged training step;
 * - `eval.jsonl`: one {@linkcode EvalRow} per evaluation;
 * - `checkpoint/`: the latest checkpoint (Hugging Face layout) and its state.
 * @module
 */
import { z } from "zod";

/** Version tag written into every run.json. */
export const RUN_SCHEMA = "polycom-repro/run@1";

/** Lifecycle of a run. `diverged` is a finished run whose loss became NaN/Inf. */
export const RunStatus = z.enum(["running", "finished", "diverged", "failed"]);
/** Lifecycle of a run. */
export type RunStatus = z.infer<typeof RunStatus>;

/**
 * A rung of a suite's ladder (`smoke`, `860k`, …, `paper`): a size, the same configuration on every machine.
 * Results of the old hardware-named scales (`cpu`, `gpu`) read as rungs of those names.
 */
export const Scale = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/);
/** A rung name. */
export type Scale = z.infer<typeof Scale>;

/** The code that produced a result. */
export const CodeVersion = z.object({
  /** git commit, or "unknown" outside a checkout. */
  commit: z.string(),
  /** True when tracked files differed from the commit. */
  dirty: z.boolean(),
  /**
   * SHA-256 over the source files that can affect numbers: all of src/ but the folders listed in
   * runner/code_version.ts. The suite's values enter the run id through the resolved config.
   */
  sourceHash: z.string(),
});
/** The code that produced a result. */
export type CodeVersion = z.infer<typeof CodeVersion>;

/** Parameter and compute counts of the run's model. */
export const ModelCounts = z.object({
  total: z.number(),
  active: z.number(),
  embedding: z.number(),
  nonEmbedding: z.number(),
  flopsPerToken: z.number(),
});
/** Parameter and compute counts of the run's model. */
export type ModelCounts = z.infer<typeof ModelCounts>;

/** A source's content checksum and, for local sources, its files' SHA-256. */
export const SourceRecord = z.object({
  contentChecksum: z.string(),
  files: z.array(z.object({ path: z.string(), sha256: z.string() })).optional(),
});

/** The record of one training run (one suite × activation × seed × scale). */
export const RunRecord = z.object({
  schema: z.literal(RUN_SCHEMA),
  runId: z.string(),
  suite: z.string(),
  /** Id of the published experiment this run reproduces (published.json). */
  experiment: z.string(),
  scale: Scale,
  activation: z.string(),
  seed: z.number().int(),
  /** The fully resolved configuration (model config in Hugging Face keys, training, data, evaluation). */
  config: z.record(z.string(), z.unknown()),
  code: CodeVersion,
  /** The environment fingerprint (BackendInfo) of the machine that ran it. */
  env: z.record(z.string(), z.unknown()),
  counts: ModelCounts,
  /**
   * The data the run read: per train and validation source, the split's content checksum (SHA-256 of its
   * documents) and, for local sources, the files read with their SHA-256. Optional so older records still read.
   */
  data: z.object({ train: z.record(z.string(), SourceRecord), validation: z.record(z.string(), SourceRecord) })
    .optional(),
  status: RunStatus,
  /** Step at which the loss became NaN or infinite, for diverged runs. */
  divergedAtStep: z.number().int().nullable(),
  error: z.string().nullable(),
  progress: z.object({
    step: z.number().int(),
    tokens: z.number(),
    totalSteps: z.number().int(),
    totalTokens: z.number(),
  }),
  timings: z.object({
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
    /** Seconds spent in training steps (excludes evaluation and checkpoints), summed over resumes. */
    trainSeconds: z.number(),
    evalSeconds: z.number(),
    /** Training tokens per second over the whole run. */
    tokensPerSecond: z.number(),
    /** Times the run was resumed from a checkpoint. */
    resumes: z.number().int(),
    /** The planner's estimate of the run's wall time (training and evaluation), when it made one. */
    estimatedSeconds: z.number().nullable().optional(),
    /** Wall time of the run, summed over every process that worked on it (resumes included). */
    wallSeconds: z.number().optional(),
  }),
});
/** The record of one training run. */
export type RunRecord = z.infer<typeof RunRecord>;

/** One logged training step. */
export const MetricsRow = z.object({
  step: z.number().int(),
  tokens: z.number(),
  /** Total loss: cross-entropy plus auxiliary losses. */
  loss: z.number(),
  /** Cross-entropy alone (the number compared across activations). */
  ce: z.number(),
  /** Weighted auxiliary losses (MoE load balancing + router z-loss); 0 for dense. */
  aux: z.number(),
  lr: z.number(),
  gradNorm: z.number(),
  tokensPerSecond: z.number(),
  /** PolyCom coefficients per layer, ascending [a0..ar]; absent for other activations. */
  coefficients: z.array(z.array(z.number())).optional(),
});
/** One logged training step. */
export type MetricsRow = z.infer<typeof MetricsRow>;

/** One evaluation: per-source validation metrics and task accuracies. */
export const EvalRow = z.object({
  step: z.number().int(),
  tokens: z.number(),
  /** Per data source (e.g. "brown", "nlp-corpus", "synthetic"). */
  sources: z.record(
    z.string(),
    z.object({
      loss: z.number(),
      ppl: z.number(),
      bitsPerByte: z.number().nullable(),
      accuracy: z.number(),
      tokens: z.number(),
      /** SHA-256 of the validation split's documents, and for local sources the files read */
      contentChecksum: z.string().optional(),
      files: z.array(z.object({ path: z.string(), sha256: z.string() })).optional(),
    }),
  ),
  /** Zero-shot tasks, e.g. "mc4" (HellaSwag-style) and "lastword4" (LAMBADA-style last word, four-way). */
  tasks: z.record(
    z.string(),
    z.object({
      acc: z.number(),
      accNorm: z.number().nullable(),
      n: z.number().int(),
      itemsChecksum: z.string(),
      /**
       * The accuracy of guessing (1/4 for a four-way choice), stated by the task so the judge can tell whether a
       * model scores above it without loading evaluation code. Optional so older records still read.
       */
      chance: z.number().min(0).max(1).optional(),
    }),
  ),
});
/** One evaluation. */
export type EvalRow = z.infer<typeof EvalRow>;
