/**
 * Shared fixtures of the model tests: tiny configs, deterministic batches,
 * float64 copies of a model's weights.
 * @module
 */
import type { ModelConfig } from "../../src/model/config.ts";
import { modelConfigFor, type ModelConfigOptions } from "../../src/model/build_config.ts";
import { tf } from "../../src/backend/mod.ts";
import { createModel, type Model } from "../../src/model/transformer.ts";
import type { TrainBatch } from "../../src/model/train_step.ts";
import { Rng } from "../../src/util/rng.ts";
import type { RefWeights } from "./_reference.ts";

/** A tiny config; `overrides` replace any option. */
export function tinyConfig(
  family: "dense" | "moe",
  activation: string,
  overrides: Partial<ModelConfigOptions> = {},
): ModelConfig {
  return modelConfigFor({
    family,
    activation,
    hidden: 8,
    layers: 2,
    heads: 2,
    gatedWidth: 12,
    vocab: 11,
    maxPositions: 64,
    experts: family === "moe" ? 4 : undefined,
    topK: family === "moe" ? 2 : undefined,
    qkNorm: family === "moe",
    ...overrides,
  });
}

/** Random token rows and their next tokens. */
export function randomBatch(seed: number, batchSize: number, seqLen: number, vocab: number): TrainBatch {
  const rng = new Rng(seed);
  const stream = Array.from({ length: batchSize * (seqLen + 1) }, () => rng.int(vocab));
  const inputs = new Int32Array(batchSize * seqLen);
  const targets = new Int32Array(batchSize * seqLen);
  for (let b = 0; b < batchSize; b++) {
    for (let t = 0; t < seqLen; t++) {
      inputs[b * seqLen + t] = stream[b * (seqLen + 1) + t];
      targets[b * seqLen + t] = stream[b * (seqLen + 1) + t + 1];
    }
  }
  return { inputs, targets, batchSize, seqLen };
}

/** Rows of a flat batch array. */
export function rows(ids: Int32Array, batchSize: number, seqLen: number): number[][] {
  return Array.from({ length: batchSize }, (_, b) => Array.from(ids.subarray(b * seqLen, (b + 1) * seqLen)));
}

/** A model's weights as float64 arrays (PyTorch layout) for the reference. */
export async function referenceWeights(model: Model): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  for (const [name, data] of await model.exportWeights()) out.set(name, Float64Array.from(data));
  return out;
}

/** Largest absolute difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Type-only re-export for tests. */
export type { RefWeights };

/**
 * The kernels one loss-and-gradients pass of a tiny dense SwiGLU model runs on the active backend, in order
 * (to check which fused kernels the model really uses).
 */
export async function kernelsOfTrainingPass(): Promise<string[]> {
  const config = tinyConfig("dense", "swiglu");
  const model = createModel(config, 3);
  const batch = randomBatch(4, 2, 5, config.vocab_size);
  const inputs = tf.tensor2d(batch.inputs, [2, 5], "int32");
  const targets = tf.tensor2d(batch.targets, [2, 5], "int32");
  try {
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => model.lossTensors(inputs, targets).loss, model.variables());
      return [value, ...Object.values(grads)];
    });
    tf.dispose(profile.result as tf.Tensor[]);
    return profile.kernels.map((k) => k.name);
  } finally {
    tf.dispose([inputs, targets]);
    model.dispose();
  }
}
