/**
 * Scorers that need no model: a uniform predictor (the log V baseline of
 * every report) and a unigram predictor fitted to a token stream.
 * @module
 */
import type { SequenceScorer } from "./scorer.ts";

/**
 * Predicts every token with probability 1/V; argmax ties go to id 0.
 *
 * @example
 * ```ts
 * const s = uniformScorer(259);
 * await s.logprobs([[1, 2, 3]]); // [[-log 259, -log 259]]
 * ```
 */
export function uniformScorer(vocabSize: number, maxLength?: number): SequenceScorer {
  const lp = -Math.log(vocabSize);
  return {
    vocabSize,
    maxLength,
    logprobs: (seqs) => Promise.resolve(seqs.map((s) => s.slice(1).map(() => lp))),
    predict: (seqs) =>
      Promise.resolve({
        logprobs: seqs.map((s) => s.slice(1).map(() => lp)),
        argmax: seqs.map((s) => s.slice(1).map(() => 0)),
      }),
  };
}

/**
 * Predicts each token by its add-one-smoothed frequency in `tokens`,
 * ignoring context (a context-free baseline).
 *
 * @example
 * ```ts
 * const s = unigramScorer(259, trainStream.tokens);
 * ```
 */
export function unigramScorer(vocabSize: number, tokens: ArrayLike<number>, maxLength?: number): SequenceScorer {
  const counts = new Float64Array(vocabSize).fill(1);
  for (let i = 0; i < tokens.length; i++) counts[tokens[i]]++;
  const total = counts.reduce((a, b) => a + b, 0);
  const lps = Array.from(counts, (c) => Math.log(c / total));
  let best = 0;
  for (let v = 1; v < vocabSize; v++) if (counts[v] > counts[best]) best = v;
  return {
    vocabSize,
    maxLength,
    logprobs: (seqs) => Promise.resolve(seqs.map((s) => s.slice(1).map((x) => lps[x]))),
    predict: (seqs) =>
      Promise.resolve({
        logprobs: seqs.map((s) => s.slice(1).map((x) => lps[x])),
        argmax: seqs.map((s) => s.slice(1).map(() => best)),
      }),
  };
}
