/**
 * The synthetic data source: independent samples of one Markov chain per
 * split, as text (one symbol = one byte), with the chain's exact limits.
 * @module
 */
import { DEFAULT_MARKOV, type MarkovConfig, MarkovSource } from "./markov.ts";
import type { Split } from "../types.ts";

/** Bump when sampling changes (part of cache keys). */
export const SYNTHETIC_VERSION = 1;

/** Symbols per split of the synthetic source. */
export const SYNTHETIC_LENGTHS: Readonly<Record<Split, number>> = {
  train: 1 << 22,
  validation: 1 << 18,
  test: 1 << 18,
};

const seedOf: Record<Split, number> = { train: 1, validation: 2, test: 3 };

/** The Bayes limits of the synthetic source. */
export interface SyntheticLimits {
  /** Entropy rate: the best achievable loss with unlimited context, nats per symbol (= per byte). */
  entropyRateNats: number;
  /** The same in bits per byte. */
  entropyRateBitsPerByte: number;
}

const sources = new Map<string, MarkovSource>();

/**
 * The (memoised) Markov chain of a configuration.
 *
 * @example
 * ```ts
 * syntheticChain().entropyRate(); // ≈ 1.0857 nats/symbol for DEFAULT_MARKOV
 * ```
 */
export function syntheticChain(config: MarkovConfig = DEFAULT_MARKOV): MarkovSource {
  const key = JSON.stringify(config);
  let source = sources.get(key);
  if (!source) {
    source = MarkovSource.create(config);
    sources.set(key, source);
  }
  return source;
}

/**
 * The text of one split of the synthetic source (deterministic).
 *
 * @example
 * ```ts
 * syntheticText("validation").length; // 262144
 * ```
 */
export function syntheticText(split: Split, config: MarkovConfig = DEFAULT_MARKOV): string {
  return syntheticChain(config).sampleText(SYNTHETIC_LENGTHS[split], config.seed * 7 + seedOf[split]);
}

/**
 * Exact limits of the synthetic source.
 *
 * @example
 * ```ts
 * syntheticLimits().entropyRateBitsPerByte; // ≈ 1.566
 * ```
 */
export function syntheticLimits(config: MarkovConfig = DEFAULT_MARKOV): SyntheticLimits {
  const rate = syntheticChain(config).entropyRate();
  return { entropyRateNats: rate, entropyRateBitsPerByte: rate / Math.LN2 };
}
