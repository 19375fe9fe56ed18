/**
 * A model as a {@linkcode SequenceScorer}: next-token log-probabilities for
 * evaluation. Sequences of one padded length are batched together.
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
  /** Most positions (rows × positions) in one forward pass; default {@linkcode MAX_POSITIONS_PER_BATCH}. */
  maxPositionsPerBatch?: number;
}

/**
 * Positions per forward pass: enough rows that tfjs's per-op cost is small beside the kernels', few enough that a
 * forward pass's activations (every layer's, kept until the pass ends) stay in tens of megabytes at the suites' widths.
 */
export const MAX_POSITIONS_PER_BATCH = 4096;

/**
 * Forward passes are padded to a multiple of this many positions: the fused attention kernels of cpu and wasm
 * (src/kernels/attention) run whole on such lengths, as training's windows are, and fall back to slower separate
 * products and a scalar softmax otherwise. Causal attention keeps a position's logits independent of the padding
 * after it (up to the rounding of the kernel the length selects).
 */
export const POSITION_MULTIPLE = 4;

/** Positions a sequence is scored at: its own, rounded up to {@linkcode POSITION_MULTIPLE} within the context. */
function paddedPositions(positions: number, maxLength: number): number {
  const padded = Math.ceil(positions / POSITION_MULTIPLE) * POSITION_MULTIPLE;
  return padded <= maxLength ? padded : positions;
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
  const positionBudget = options.maxPositionsPerBatch ?? MAX_POSITIONS_PER_BATCH;
  // One forward pass per group of sequences of one padded length gives both the target log-probabilities and (when
  // asked) the argmax next token; a padded position's input and target are token 0 and its outputs are dropped.
  async function score(sequences: number[][], withArgmax: boolean) {
    validate(sequences, vocab, maxLength);
    const logprobs: number[][] = sequences.map(() => []);
    const argmax: number[][] = sequences.map(() => []);
    const byLength = new Map<number, number[]>();
    sequences.forEach((seq, i) => {
      if (seq.length < 2) return;
      const padded = paddedPositions(seq.length - 1, maxLength);
      const group = byLength.get(padded) ?? [];
      group.push(i);
      byLength.set(padded, group);
    });
    for (const [positions, members] of byLength) {
      const rowsPerBatch = Math.max(
        1,
        Math.min(Math.floor(budget / (positions * vocab)), Math.floor(positionBudget / positions)),
      );
      for (let start = 0; start < members.length; start += rowsPerBatch) {
        const rows = members.slice(start, start + rowsPerBatch);
        const out = await forwardRows(rows.map((i) => sequences[i]), positions, withArgmax);
        rows.forEach((seqIndex, r) => {
          logprobs[seqIndex] = out.logprobs[r];
          if (out.argmax) argmax[seqIndex] = out.argmax[r];
        });
      }
    }
    return { logprobs, argmax };
  }
  /** One forward pass over `rows` padded to `positions`: each row's log-probabilities (and argmaxes), unpadded. */
  async function forwardRows(rows: number[][], positions: number, withArgmax: boolean) {
    const inputs = new Int32Array(rows.length * positions);
    const targets = new Int32Array(rows.length * positions);
    rows.forEach((seq, r) => {
      for (let t = 0; t < seq.length - 1; t++) {
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
    const values = await picked.data() as Float32Array;
    const bestValues = best ? await best.data() as Int32Array : null;
    picked.dispose();
    best?.dispose();
    const row = (data: Float32Array | Int32Array, r: number) =>
      Array.from(data.subarray(r * positions, r * positions + rows[r].length - 1));
    return {
      logprobs: rows.map((_, r) => row(values, r)),
      argmax: bestValues ? rows.map((_, r) => row(bestValues, r)) : null,
    };
  }
  return {
    vocabSize: vocab,
    maxLength,
    logprobs: async (sequences) => (await score(sequences, false)).logprobs,
    predict: (sequences) => score(sequences, true),
  };
}
