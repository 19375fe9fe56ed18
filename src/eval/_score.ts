/**
 * Running a scorer over many sequences: batching, shape checks, and the
 * argmax fallback for scorers without `predict`.
 * @module
 */
import type { SequenceScorer } from "./scorer.ts";

/** Above this many (position × vocabulary) scorings, the argmax fallback refuses. */
export const BRUTE_FORCE_LIMIT = 1 << 20;

/** Log-probabilities (and argmaxes when asked) of sequences, in input order. */
export interface Scored {
  logprobs: number[][];
  argmax: number[][] | null;
}

function check(kind: string, got: number[][], sequences: number[][]): void {
  if (got.length !== sequences.length) {
    throw new Error(`scorer returned ${got.length} ${kind} rows for ${sequences.length} sequences`);
  }
  got.forEach((row, i) => {
    if (row.length !== sequences[i].length - 1) {
      throw new Error(`scorer returned ${row.length} ${kind} for a sequence of ${sequences[i].length} tokens`);
    }
  });
}

/**
 * Scores sequences in batches of similar length (padding-friendly), returning rows in input order.
 *
 * @example
 * ```ts
 * import type { SequenceScorer } from "./scorer.ts";
 * declare const scorer: SequenceScorer;
 * const { logprobs } = await scoreSequences(scorer, [[1, 2, 3]], { batchSize: 16, argmax: false });
 * ```
 */
export async function scoreSequences(
  scorer: SequenceScorer,
  sequences: number[][],
  options: { batchSize: number; argmax: boolean },
): Promise<Scored> {
  for (const s of sequences) {
    if (s.length < 2) throw new Error("sequences to score need at least 2 tokens");
    if (scorer.maxLength !== undefined && s.length > scorer.maxLength) {
      throw new Error(`a sequence of ${s.length} tokens exceeds the scorer's maximum length ${scorer.maxLength}`);
    }
  }
  if (options.argmax && !scorer.predict) {
    const positions = sequences.reduce((sum, q) => sum + q.length - 1, 0);
    if (positions * scorer.vocabSize > BRUTE_FORCE_LIMIT) {
      throw new Error(
        `the scorer has no predict(): next-token argmax would need ${positions * scorer.vocabSize} scorings ` +
          `(limit ${BRUTE_FORCE_LIMIT}); implement SequenceScorer.predict`,
      );
    }
  }
  const order = sequences.map((_, i) => i).sort((a, b) => sequences[a].length - sequences[b].length || a - b);
  const logprobs: number[][] = new Array(sequences.length);
  const argmax: number[][] | null = options.argmax ? new Array(sequences.length) : null;
  for (let at = 0; at < order.length; at += options.batchSize) {
    const ids = order.slice(at, at + options.batchSize);
    const batch = ids.map((i) => sequences[i]);
    if (options.argmax && scorer.predict) {
      const out = await scorer.predict(batch);
      check("log-probabilities", out.logprobs, batch);
      check("argmaxes", out.argmax, batch);
      ids.forEach((i, k) => {
        logprobs[i] = out.logprobs[k];
        argmax![i] = out.argmax[k];
      });
    } else {
      const out = await scorer.logprobs(batch);
      check("log-probabilities", out, batch);
      ids.forEach((i, k) => (logprobs[i] = out[k]));
      if (options.argmax) {
        const am = await bruteForceArgmax(scorer, batch, options.batchSize);
        ids.forEach((i, k) => (argmax![i] = am[k]));
      }
    }
  }
  return { logprobs, argmax };
}

/**
 * The argmax at every position by scoring each vocabulary entry as the next
 * token: exact, but `vocabSize` scorings per position (bounded by
 * {@linkcode BRUTE_FORCE_LIMIT} over a whole call).
 */
async function bruteForceArgmax(scorer: SequenceScorer, sequences: number[][], batchSize: number) {
  const out: number[][] = [];
  for (const seq of sequences) {
    const row: number[] = [];
    for (let t = 1; t < seq.length; t++) {
      const prefix = seq.slice(0, t);
      let best = 0;
      let bestLp = -Infinity;
      for (let v0 = 0; v0 < scorer.vocabSize; v0 += batchSize) {
        const candidates: number[][] = [];
        for (let v = v0; v < Math.min(scorer.vocabSize, v0 + batchSize); v++) candidates.push([...prefix, v]);
        const lps = await scorer.logprobs(candidates);
        lps.forEach((lp, k) => {
          if (lp[t - 1] > bestLp) {
            bestLp = lp[t - 1];
            best = v0 + k;
          }
        });
      }
      row.push(best);
    }
    out.push(row);
  }
  return out;
}

/**
 * Compensated (Neumaier) sum, so sums of many equal terms stay exact to the last bits.
 *
 * @example
 * ```ts
 * const s = new Sum(); for (let i = 0; i < 10; i++) s.add(0.1); s.value; // 1
 * ```
 */
export class Sum {
  #sum = 0;
  #c = 0;
  add(x: number): void {
    const t = this.#sum + x;
    this.#c += Math.abs(this.#sum) >= Math.abs(x) ? (this.#sum - t) + x : (x - t) + this.#sum;
    this.#sum = t;
  }
  get value(): number {
    return this.#sum + this.#c;
  }
}
