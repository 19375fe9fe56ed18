/**
 * The `train-tiny` benchmark's configuration: the model, the batch and the
 * timing protocol, validated like every other config of the project.
 * @module
 */
import { z } from "zod";
import { UsageError } from "../util/errors.ts";
import { type ModelConfig, modelConfigFor, parseModelConfig } from "../model/mod.ts";

/** Schema of a training benchmark's configuration. */
export const TrainBenchConfigSchema = z.object({
  name: z.string().min(1),
  vocab: z.number().int().positive(),
  hidden: z.number().int().positive(),
  layers: z.number().int().positive(),
  heads: z.number().int().positive(),
  seqLen: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  /** MLP width per activation (SwiGLU's is the gated width; others use theirs as is). */
  widths: z.record(z.string(), z.number().int().positive()),
  warmupSteps: z.number().int().nonnegative(),
  timedSteps: z.number().int().positive(),
  learningRate: z.number().positive(),
  seed: z.number().int().nonnegative(),
}).strict();

/** A validated training benchmark configuration. */
export type TrainBenchConfig = z.infer<typeof TrainBenchConfigSchema>;

/**
 * `train-tiny`: dense decoder, vocab 256, d_model 128,
 * 4 layers, 4 heads, sequence 128, batch 16, AdamW, float32; SwiGLU width 344
 * and PolyNorm width 512; median of 20 steps after 5 warm-up steps.
 */
export const TRAIN_TINY: TrainBenchConfig = {
  name: "train-tiny",
  vocab: 256,
  hidden: 128,
  layers: 4,
  heads: 4,
  seqLen: 128,
  batchSize: 16,
  widths: { swiglu: 344, polynorm: 512 },
  warmupSteps: 5,
  timedSteps: 20,
  learningRate: 1e-3,
  seed: 0,
};

/**
 * Checks a benchmark configuration (unknown keys are rejected).
 *
 * @example
 * ```ts
 * const quick = parseTrainBenchConfig({ ...TRAIN_TINY, timedSteps: 2, warmupSteps: 1 });
 * ```
 */
export function parseTrainBenchConfig(value: unknown): TrainBenchConfig {
  const parsed = TrainBenchConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new UsageError(`invalid benchmark config: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  return parsed.data;
}

/**
 * The model config a benchmark trains for one activation, with the MLP width
 * taken literally from `widths`.
 *
 * @example
 * ```ts
 * benchModelConfig(TRAIN_TINY, "polynorm").intermediate_size; // 512
 * ```
 */
export function benchModelConfig(config: TrainBenchConfig, activation: string): ModelConfig {
  const width = config.widths[activation];
  if (width === undefined) {
    throw new UsageError(
      `benchmark '${config.name}' has no MLP width for activation '${activation}' ` +
        `(it has: ${Object.keys(config.widths).join(", ")})`,
    );
  }
  const base = modelConfigFor({
    family: "dense",
    activation,
    hidden: config.hidden,
    layers: config.layers,
    heads: config.heads,
    gatedWidth: width,
    vocab: config.vocab,
    maxPositions: Math.max(config.seqLen, 128),
  });
  return parseModelConfig({ ...base, intermediate_size: width }, `for benchmark ${config.name}/${activation}`);
}
