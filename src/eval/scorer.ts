/**
 * The one thing evaluation needs from a model: next-token log-probabilities.
 * Keeping evaluation behind this interface lets it be tested with uniform and
 * oracle scorers, and keeps it independent of the model code.
 * @module
 */

/**
 * Scores token sequences.
 *
 * @example
 * ```ts
 * const uniform: SequenceScorer = {
 *   vocabSize: 256,
 *   logprobs: (seqs) => Promise.resolve(seqs.map((s) => s.slice(1).map(() => -Math.log(256)))),
 * };
 * ```
 */
export interface SequenceScorer {
  /** Size of the vocabulary the scorer predicts over. */
  readonly vocabSize: number;
  /** Longest sequence the scorer accepts (its context length). */
  readonly maxLength?: number;
  /**
   * For each sequence, the natural-log probability of each token given the
   * tokens before it: `result[i][t] = log p(seq[t+1] | seq[0..t])`, length n-1.
   * Sequences in one call may have different lengths.
   */
  logprobs(sequences: number[][]): Promise<number[][]>;
  /**
   * Optional: the same log-probabilities plus, at each position, the most
   * likely next token (`argmax[i][t] = argmax_v p(v | seq[0..t])`, ties to
   * the lowest id), from one forward pass. Next-token accuracy and greedy
   * tasks use it; without it they fall back to scoring every vocabulary
   * entry, which only small cases can afford.
   */
  predict?(sequences: number[][]): Promise<{ logprobs: number[][]; argmax: number[][] }>;
}
