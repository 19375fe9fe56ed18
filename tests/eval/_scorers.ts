/** Test scorers with known answers. */
import type { SequenceScorer } from "../../src/eval/mod.ts";
import type { MarkovSource } from "../../src/data/mod.ts";

/** A trie of token sequences, to tell whether a prefix belongs to one of them. */
class Trie {
  readonly children = new Map<number, Trie>();
}

function addTo(root: Trie, seq: number[]): void {
  let node = root;
  for (const x of seq) {
    let child = node.children.get(x);
    if (!child) node.children.set(x, child = new Trie());
    node = child;
  }
}

/** Per position of one sequence: log p(next token) and the most likely next token. */
type Scored = { lps: number[]; am: number[] };

/** A scorer that scores each sequence on its own with `run`, for both logprobs() and predict(). */
function scorerFrom(vocabSize: number, run: (seq: number[]) => Scored): SequenceScorer {
  return {
    vocabSize,
    logprobs: (seqs) => Promise.resolve(seqs.map((s) => run(s).lps)),
    predict: (seqs) => {
      const out = seqs.map(run);
      return Promise.resolve({ logprobs: out.map((o) => o.lps), argmax: out.map((o) => o.am) });
    },
  };
}

/**
 * Puts probability 0.9 on continuing one of the known sequences, the rest
 * spread evenly; its argmax follows the known sequences (else id 0).
 */
export function oracleScorer(vocabSize: number, known: number[][]): SequenceScorer {
  const trie = new Trie();
  for (const k of known) addTo(trie, k);
  const hit = Math.log(0.9);
  const miss = Math.log(0.1 / (vocabSize - 1));
  const run = (seq: number[]) => {
    const lps: number[] = [];
    const am: number[] = [];
    let node: Trie | undefined = trie.children.get(seq[0]);
    for (let t = 0; t + 1 < seq.length; t++) {
      const next = node?.children.get(seq[t + 1]);
      lps.push(next ? hit : node && node.children.size > 0 ? miss : -Math.log(vocabSize));
      am.push(node && node.children.size > 0 ? [...node.children.keys()][0] : 0);
      node = next;
    }
    return { lps, am };
  };
  return scorerFrom(vocabSize, run);
}

/**
 * The exact conditional probabilities of a Markov source for byte-tokenized
 * windows of its text: stationary block marginals while the window holds
 * fewer than `order` symbols, the chain's transitions after.
 */
export function markovScorer(chain: MarkovSource, vocabSize: number): SequenceScorer {
  const { alphabet, order } = chain.config;
  const a = alphabet.length;
  const blockProb = (symbols: number[]) => {
    // P(first m symbols of the stationary chain = symbols), m ≤ order.
    const div = a ** (order - symbols.length);
    let prefix = 0;
    for (const x of symbols) prefix = prefix * a + x;
    let p = 0;
    for (let s = prefix * div; s < (prefix + 1) * div; s++) p += chain.stationary[s];
    return p;
  };
  /** Log-probabilities over the alphabet of the symbol after `prefix` (window-internal context). */
  const conditional = (prefix: number[]): number[] => {
    const t = prefix.length;
    if (t < order) {
      const base = blockProb(prefix);
      return Array.from({ length: a }, (_, x) => Math.log(blockProb([...prefix, x]) / base));
    }
    let state = 0;
    for (const x of prefix.slice(t - order)) state = state * a + x;
    return Array.from({ length: a }, (_, x) => chain.logProb(state, x));
  };
  const run = (seq: number[]) => {
    const xs = seq.map((c) => alphabet.indexOf(String.fromCharCode(c)));
    const lps: number[] = [];
    const am: number[] = [];
    for (let t = 1; t < xs.length; t++) {
      const dist = conditional(t < order ? xs.slice(0, t) : xs.slice(t - order, t));
      lps.push(dist[xs[t]]);
      let best = 0;
      for (let x = 1; x < a; x++) if (dist[x] > dist[best]) best = x;
      am.push(alphabet.charCodeAt(best));
    }
    return { lps, am };
  };
  return scorerFrom(vocabSize, run);
}

/**
 * Predicts every token with probability 1/V (loss log V); argmax ties go to id 0.
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
 * ignoring context: what a model must beat to have learned any context.
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
