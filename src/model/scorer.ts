/**
 * A model as a {@linkcode SequenceScorer}: next-token log-probabilities for
 * evaluation. Sequences of equal length are batched together.
 * @module
 */
import { tf } from "../backend/tf.ts";
import type { SequenceScorer } from "../eval/scorer.ts";
import { UsageError } from "../util/errors.ts";
import { targetLogProbs } from "./_ops.ts";
import type { Model } from "./transformer.ts";

/** Batching limits of {@linkcode modelScorer}. */
export interface ModelScorerOptions {
  /** Most logits (rows × positions × vocab) computed at once; default 2²⁴ (64 MB). */
  maxLogitsPerBatch?: number;
}

function validate(sequences: number[][], vocab: number, maxLength: number): void {
  if (!Array.isArray(sequences)) throw new UsageError("sequences must be an array of token-id arrays");
  sequences.forEach((seq, i) => {
    if (!Array.isArray(seq)) throw new UsageError(`sequence ${i} is not an array of token ids`);
    if (seq.length > maxLength) {
      throw new UsageError(`sequence ${i} has ${seq.length} tokens, the model's context is ${maxLength}`);
    }
    seq.forEach((id, j) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new UsageError(`sequence ${i}, position ${j}: token id ${id} is not an integer in [0, ${vocab})`);
      }
    });
  });
}

/**
 * Scores sequences with a model: `result[i][t] = log p(seq[t+1] | seq[0..t])`.
 *
 * @example
 * ```ts
 * import type { Model } from "./transformer.ts";
 * declare const model: Model;
 * const scorer = modelScorer(model);
 * const [lp] = await scorer.logprobs([[1, 2, 3]]); // two numbers
 * ```
 */
export function modelScorer(model: Model, options: ModelScorerOptions = {}): SequenceScorer {
  const vocab = model.config.vocab_size;
  const maxLength = model.config.max_position_embeddings;
  const budget = options.maxLogitsPerBatch ?? 2 ** 24;
  // One forward pass per group of equal-length sequences gives both the
  // target log-probabilities and (when asked) the argmax next token.
  async function score(sequences: number[][], withArgmax: boolean) {
    validate(sequences, vocab, maxLength);
    const logprobs: number[][] = sequences.map(() => []);
    const argmax: number[][] = sequences.map(() => []);
    const byLength = new Map<number, number[]>();
    sequences.forEach((seq, i) => {
      if (seq.length < 2) return;
      const group = byLength.get(seq.length) ?? [];
      group.push(i);
      byLength.set(seq.length, group);
    });
    for (const [length, members] of byLength) {
      const positions = length - 1;
      const rowsPerBatch = Math.max(1, Math.floor(budget / (positions * vocab)));
      for (let start = 0; start < members.length; start += rowsPerBatch) {
        const rows = members.slice(start, start + rowsPerBatch);
        const inputs = new Int32Array(rows.length * positions);
        const targets = new Int32Array(rows.length * positions);
        rows.forEach((seqIndex, r) => {
          const seq = sequences[seqIndex];
          for (let t = 0; t < positions; t++) {
            inputs[r * positions + t] = seq[t];
            targets[r * positions + t] = seq[t + 1];
          }
        });
        const inputTensor = tf.tensor2d(inputs, [rows.length, positions], "int32");
        const logits = await model.logits(inputTensor);
        inputTensor.dispose();
        const flat = tf.reshape(logits, [rows.length * positions, vocab]) as tf.Tensor2D;
        const picked = tf.tidy(() => targetLogProbs(flat, tf.tensor1d(targets, "int32")));
        // tf.argMax returns the first maximal index: ties go to the lowest id.
        const best = withArgmax ? tf.argMax(flat, 1) : null;
        logits.dispose();
        flat.dispose();
        const values = await picked.data();
        const bestValues = best ? await best.data() : null;
        picked.dispose();
        best?.dispose();
        rows.forEach((seqIndex, r) => {
          logprobs[seqIndex] = Array.from(values.subarray(r * positions, (r + 1) * positions));
          if (bestValues) argmax[seqIndex] = Array.from(bestValues.subarray(r * positions, (r + 1) * positions));
        });
      }
    }
    return { logprobs, argmax };
  }
  return {
    vocabSize: vocab,
    maxLength,
    logprobs: async (sequences) => (await score(sequences, false)).logprobs,
    predict: (sequences) => score(sequences, true),
  };
}
