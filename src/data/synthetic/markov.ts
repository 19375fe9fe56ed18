/**
 * A sparse order-k Markov source over a small alphabet whose entropy rate is
 * known exactly: the Bayes limit a language model can reach on its text.
 * @module
 */
import { Rng } from "../../util/rng.ts";
import { closedClasses } from "./_closed_classes.ts";

/** Parameters of a Markov source. */
export interface MarkovConfig {
  /** The symbols, one ASCII character each (so one symbol is one byte). */
  alphabet: string;
  /** Symbols of context the next symbol depends on. */
  order: number;
  /** Possible next symbols per context; their probabilities are Dirichlet(1) draws. */
  branching: number;
  seed: number;
}

/** The project's synthetic source: 16 symbols (space included, so text has words), order 3, 4 successors. */
export const DEFAULT_MARKOV: Readonly<MarkovConfig> = {
  alphabet: " abcdefghijklmno",
  order: 3,
  branching: 4,
  seed: 20241105,
};

const MAX_ATTEMPTS = 100;

/**
 * An order-k Markov chain over `alphabet`. A state is the last k symbols,
 * oldest first (base-A digits); each state allows `branching` next symbols.
 *
 * @example
 * ```ts
 * const source = MarkovSource.create(DEFAULT_MARKOV);
 * source.entropyRate(); // exact, nats per symbol
 * const text = source.sampleText(1000, 1);
 * ```
 */
export class MarkovSource {
  readonly config: Readonly<MarkovConfig>;
  /** A^k. */
  readonly states: number;
  /** Next symbols per state, `states × branching`. */
  readonly next: Int32Array;
  /** Their probabilities, `states × branching`. */
  readonly probs: Float64Array;
  /** The stationary distribution over states. */
  readonly stationary: Float64Array;

  private constructor(config: MarkovConfig, next: Int32Array, probs: Float64Array, stationary: Float64Array) {
    this.config = config;
    this.states = config.alphabet.length ** config.order;
    this.next = next;
    this.probs = probs;
    this.stationary = stationary;
  }

  /**
   * Draws the chain from its seed. Draws with more than one closed class
   * (no unique stationary distribution) are redrawn deterministically.
   */
  static create(config: MarkovConfig): MarkovSource {
    const a = config.alphabet.length;
    if (a < 2 || /[^\x20-\x7e]/.test(config.alphabet) || new Set(config.alphabet).size !== a) {
      throw new RangeError("alphabet must have ≥ 2 distinct printable ASCII characters");
    }
    if (!Number.isInteger(config.order) || config.order < 1) throw new RangeError("order must be ≥ 1");
    if (!Number.isInteger(config.branching) || config.branching < 1 || config.branching > a) {
      throw new RangeError(`branching must be in 1..${a}`);
    }
    const states = a ** config.order;
    if (states > 1 << 22) throw new RangeError("alphabet^order is too large");
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const rng = Rng.derive(config.seed, `markov/${attempt}`);
      const b = config.branching;
      const next = new Int32Array(states * b);
      const probs = new Float64Array(states * b);
      const symbols = Array.from({ length: a }, (_, i) => i);
      for (let s = 0; s < states; s++) {
        rng.shuffle(symbols);
        const chosen = symbols.slice(0, b).sort((x, y) => x - y);
        const weights = chosen.map(() => -Math.log(1 - rng.next()));
        const total = weights.reduce((x, y) => x + y, 0);
        chosen.forEach((x, j) => {
          next[s * b + j] = x;
          probs[s * b + j] = weights[j] / total;
        });
      }
      const successor = (s: number) => Array.from(next.subarray(s * b, s * b + b), (x) => (s * a + x) % states);
      if (closedClasses(states, successor).length !== 1) continue;
      return new MarkovSource(config, next, probs, stationaryOf(states, a, b, next, probs));
    }
    throw new Error(`no draw with a unique stationary distribution in ${MAX_ATTEMPTS} attempts`);
  }

  /** Exact entropy rate, nats per symbol: Σ_s π(s) H(next | s). */
  entropyRate(): number {
    const b = this.config.branching;
    let h = 0;
    for (let s = 0; s < this.states; s++) {
      let hs = 0;
      for (let j = 0; j < b; j++) {
        const p = this.probs[s * b + j];
        if (p > 0) hs -= p * Math.log(p);
      }
      h += this.stationary[s] * hs;
    }
    return h;
  }

  /** Entropy (nats) of `m` consecutive symbols of the stationary chain, for m ≤ order. */
  blockEntropy(m: number): number {
    const { order, alphabet } = this.config;
    if (m < 0 || m > order) throw new RangeError(`block length must be in 0..${order}`);
    if (m === 0) return 0;
    const blocks = new Float64Array(alphabet.length ** m);
    const div = alphabet.length ** (order - m);
    for (let s = 0; s < this.states; s++) blocks[Math.floor(s / div)] += this.stationary[s];
    let h = 0;
    for (const p of blocks) if (p > 0) h -= p * Math.log(p);
    return h;
  }

  /** H(X_t | X_0 .. X_{t-1}) for a stationary start: rises above the rate only for t < order. */
  conditionalEntropy(t: number): number {
    if (t >= this.config.order) return this.entropyRate();
    return this.blockEntropy(t + 1) - this.blockEntropy(t);
  }

  /**
   * The Bayes-optimal mean loss (nats/symbol) over a window of `length`
   * symbols scored as language models are (positions 1..length-1, each given
   * the window's earlier symbols only).
   */
  windowBayesLoss(length: number): number {
    if (length < 2) throw new RangeError("a window scores at least 2 symbols");
    let sum = 0;
    for (let t = 1; t < length; t++) sum += this.conditionalEntropy(t);
    return sum / (length - 1);
  }

  /** log p(next symbol | state), or -Infinity if the transition is impossible. */
  logProb(state: number, symbol: number): number {
    const b = this.config.branching;
    for (let j = 0; j < b; j++) if (this.next[state * b + j] === symbol) return Math.log(this.probs[state * b + j]);
    return -Infinity;
  }

  /** The state after `state` emits `symbol`. */
  step(state: number, symbol: number): number {
    return (state * this.config.alphabet.length + symbol) % this.states;
  }

  /**
   * Samples `n` symbols (indices into the alphabet) from a stationary start.
   * Returns the symbols and the start state (its k symbols precede them).
   */
  sample(n: number, seed: number): { symbols: Uint8Array; start: number } {
    const rng = Rng.derive(seed, "markov-sample");
    const b = this.config.branching;
    let state = pick(this.stationary, rng.next());
    const start = state;
    const symbols = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let u = rng.next();
      let j = 0;
      while (j < b - 1 && u >= this.probs[state * b + j]) u -= this.probs[state * b + j++];
      const x = this.next[state * b + j];
      symbols[i] = x;
      state = this.step(state, x);
    }
    return { symbols, start };
  }

  /** Samples `n` symbols as text. */
  sampleText(n: number, seed: number): string {
    const { symbols } = this.sample(n, seed);
    const alphabet = this.config.alphabet;
    const parts: string[] = [];
    const chunk = 65536;
    for (let i = 0; i < n; i += chunk) {
      parts.push(String.fromCharCode(...Array.from(symbols.subarray(i, i + chunk), (x) => alphabet.charCodeAt(x))));
    }
    return parts.join("");
  }
}

function pick(distribution: Float64Array, u: number): number {
  for (let i = 0; i < distribution.length; i++) {
    u -= distribution[i];
    if (u < 0) return i;
  }
  // Rounding left u slightly positive: take the last state with mass.
  for (let i = distribution.length - 1; i >= 0; i--) if (distribution[i] > 0) return i;
  throw new Error("empty distribution");
}

/** Power iteration of the lazy chain (½I + ½P), which converges even for periodic chains. */
function stationaryOf(
  states: number,
  a: number,
  b: number,
  next: Int32Array,
  probs: Float64Array,
): Float64Array {
  let pi: Float64Array = new Float64Array(states).fill(1 / states);
  let out: Float64Array = new Float64Array(states);
  for (let iter = 0; iter < 200_000; iter++) {
    for (let s = 0; s < states; s++) out[s] = 0.5 * pi[s];
    for (let s = 0; s < states; s++) {
      const mass = 0.5 * pi[s];
      if (mass === 0) continue;
      for (let j = 0; j < b; j++) out[(s * a + next[s * b + j]) % states] += mass * probs[s * b + j];
    }
    let diff = 0;
    let total = 0;
    for (let s = 0; s < states; s++) {
      diff += Math.abs(out[s] - pi[s]);
      total += out[s];
    }
    for (let s = 0; s < states; s++) out[s] /= total;
    [pi, out] = [out, pi];
    if (diff < 1e-14) return pi;
  }
  throw new Error("stationary distribution did not converge");
}
