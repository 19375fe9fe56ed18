/**
 * Training batches in an order fixed by the data seed alone, so every
 * activation and model seed of a suite sees the same tokens (paired runs),
 * with a small JSON position to resume from.
 *
 * Each source's stream is cut into windows of `seqLen + 1` tokens (inputs
 * and the targets shifted by one) at a per-epoch random offset, visited in a
 * per-epoch random order; sources are interleaved by smooth weighted
 * round-robin, so a 1:1 mixture is exactly alternating rows.
 * @module
 */
import { canonicalJson, fnv1a32 } from "../util/hash.ts";
import { Rng } from "../util/rng.ts";
import { UsageError } from "../util/errors.ts";
import type { TokenStream } from "./stream.ts";

/** One training batch, row-major `[batchSize, seqLen]`. */
export interface Batch {
  inputs: Int32Array;
  targets: Int32Array;
  /** The source of each row. */
  sources: string[];
}

/** Where a loader is: enough to give exactly the same next batches. */
export interface LoaderPosition {
  /** Batches given so far. */
  step: number;
  /** Windows taken from each source so far. */
  taken: Record<string, number>;
  /** Hash of the data configuration; a position only restores into the same one. */
  fingerprint: string;
}

/** Options of {@linkcode BatchLoader}. */
export interface BatchLoaderOptions {
  /** Training streams, one per source. */
  streams: TokenStream[];
  /** Mixture weights by source name (positive; normalised). */
  weights: Record<string, number>;
  batchSize: number;
  seqLen: number;
  /** The data seed (not the model seed). */
  seed: number;
}

interface Lane {
  name: string;
  tokens: Uint16Array;
  share: number;
  windows: number;
  epochs: Map<number, { offset: number; order: Uint32Array }>;
}

/**
 * Deterministic batches from a weighted mixture of token streams.
 *
 * @example
 * ```ts
 * import type { TokenStream } from "./stream.ts";
 * declare const brown: TokenStream, nlp: TokenStream;
 * const loader = new BatchLoader({ streams: [brown, nlp], weights: { brown: 1, "nlp-corpus": 1 },
 *   batchSize: 8, seqLen: 128, seed: 0 });
 * const saved = loader.position();
 * const a = loader.next();
 * loader.restore(saved);
 * loader.next(); // identical to a
 * ```
 */
export class BatchLoader {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly seed: number;
  readonly fingerprint: string;
  readonly #lanes: Lane[];
  #step = 0;
  #taken: number[];

  constructor(options: BatchLoaderOptions) {
    const { batchSize, seqLen, seed } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`batch size must be ≥ 1, got ${batchSize}`);
    if (!Number.isInteger(seqLen) || seqLen < 1) throw new UsageError(`sequence length must be ≥ 1, got ${seqLen}`);
    const names = Object.keys(options.weights).sort();
    if (names.length === 0) throw new UsageError("the training mixture names no source");
    const total = names.reduce((s, n) => s + options.weights[n], 0);
    this.#lanes = names.map((name) => {
      const w = options.weights[name];
      if (!(w > 0) || !Number.isFinite(w)) throw new UsageError(`mixture weight of '${name}' must be positive`);
      const stream = options.streams.find((s) => s.source === name);
      if (!stream) throw new UsageError(`no training stream for source '${name}'`);
      // Valid for every offset in [0, seqLen): the last window ends at most at the stream's end.
      const windows = Math.floor(stream.tokens.length / seqLen) - 1;
      if (windows < 1) throw new UsageError(`source '${name}' is too short for sequences of ${seqLen} tokens`);
      return { name, tokens: stream.tokens, share: w / total, windows, epochs: new Map() };
    });
    this.batchSize = batchSize;
    this.seqLen = seqLen;
    this.seed = seed;
    this.#taken = this.#lanes.map(() => 0);
    this.fingerprint = fnv1a32(canonicalJson({
      batchSize,
      seqLen,
      seed,
      mixture: this.#lanes.map((l) => [l.name, l.share]),
      streams: names.map((n) => {
        const s = options.streams.find((x) => x.source === n)!;
        return [s.contentChecksum, s.tokenizer, s.tokens.length];
      }),
    })).toString(16).padStart(8, "0");
  }

  /** The position before the next batch (JSON-serialisable). */
  position(): LoaderPosition {
    return {
      step: this.#step,
      taken: Object.fromEntries(this.#lanes.map((l, i) => [l.name, this.#taken[i]])),
      fingerprint: this.fingerprint,
    };
  }

  /** Continues from a saved position; throws if it came from another data configuration. */
  restore(position: LoaderPosition): void {
    if (position.fingerprint !== this.fingerprint) {
      throw new Error(
        `data position is from another data configuration (fingerprint ${position.fingerprint}, ` +
          `this loader ${this.fingerprint})`,
      );
    }
    const taken = this.#lanes.map((l) => position.taken[l.name]);
    if (taken.some((t) => !Number.isInteger(t) || t < 0)) throw new Error("data position has bad counts");
    if (taken.reduce((s, t) => s + t, 0) !== position.step * this.batchSize) {
      throw new Error("data position is inconsistent (counts do not add up to step × batch size)");
    }
    this.#step = position.step;
    this.#taken = taken;
  }

  /** The next batch. */
  next(): Batch {
    const { batchSize, seqLen } = this;
    const inputs = new Int32Array(batchSize * seqLen);
    const targets = new Int32Array(batchSize * seqLen);
    const sources: string[] = [];
    for (let row = 0; row < batchSize; row++) {
      const lane = this.#pickLane();
      const k = this.#taken[lane]++;
      const start = this.#windowStart(this.#lanes[lane], k);
      const tokens = this.#lanes[lane].tokens;
      for (let t = 0; t < seqLen; t++) {
        inputs[row * seqLen + t] = tokens[start + t];
        targets[row * seqLen + t] = tokens[start + t + 1];
      }
      sources.push(this.#lanes[lane].name);
    }
    this.#step++;
    return { inputs, targets, sources };
  }

  /** The source that is furthest behind its share (ties: first by name). */
  #pickLane(): number {
    const drawn = this.#taken.reduce((s, t) => s + t, 0) + 1;
    let best = 0;
    let bestDeficit = -Infinity;
    this.#lanes.forEach((lane, i) => {
      const deficit = lane.share * drawn - this.#taken[i];
      if (deficit > bestDeficit) {
        best = i;
        bestDeficit = deficit;
      }
    });
    return best;
  }

  /** Start token of the k-th window drawn from a lane: a pure function of (seed, lane, k). */
  #windowStart(lane: Lane, k: number): number {
    const epoch = Math.floor(k / lane.windows);
    let plan = lane.epochs.get(epoch);
    if (!plan) {
      const rng = Rng.derive(this.seed, `batches/${lane.name}/epoch${epoch}`);
      const offset = rng.int(this.seqLen);
      const order = new Uint32Array(lane.windows);
      for (let i = 0; i < order.length; i++) order[i] = i;
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
      plan = { offset, order };
      if (lane.epochs.size > 2) lane.epochs.clear();
      lane.epochs.set(epoch, plan);
    }
    return plan.offset + plan.order[k % lane.windows] * this.seqLen;
  }
}
