/**
 * OLMoE-style mixture-of-experts layer: token-choice top-k routing over a
 * softmax router, dropless, each expert computed only on the tokens routed to
 * it, with OLMoE's (megablocks') auxiliary losses.
 *
 * How tokens reach experts: the top-k expert ids are read to the host, a
 * counting sort groups the T·k (token, slot) assignments by expert, the
 * token rows are permuted into that order (a permutation, whose gradient is
 * the inverse permutation), split into one contiguous block per expert, and
 * the expert outputs are permuted back and combined with the routing weights.
 * Reading the ids makes the layer's control flow depend on data, so on
 * backends without synchronous reads (WebGPU) the ids are read first with
 * `await` and passed in (see the model's routing plan).
 *
 * Auxiliary losses, per layer (the model averages them over layers, as OLMo):
 * - load balancing: `E / (T·k) · Σ_e count_e · mean_t p_{t,e}` (1 when perfectly
 *   balanced; `count_e` = assignments to expert e, `p` = full softmax);
 * - router z-loss: `mean_t (logsumexp_e logits_{t,e})²`.
 * @module
 */
import type { ActivationSpec } from "../activations/mod.ts";
import { tf } from "../backend/tf.ts";
import { linear, permuteRows } from "./_ops.ts";
import { mlp, type MlpWeights } from "./mlp.ts";

/** One MoE layer's weights: router `[d, E]` (stored `[in, out]`) and the experts. */
export interface MoeWeights {
  router: tf.Tensor2D;
  experts: MlpWeights[];
}

/** Routing constants. */
export interface MoeOptions {
  topK: number;
  /** Renormalise the top-k probabilities to sum to 1 (off in OLMoE). */
  normTopK: boolean;
}

/** A layer's output and its (unweighted) auxiliary losses. */
export interface MoeOutput {
  y: tf.Tensor2D;
  loadBalancing: tf.Scalar;
  zLoss: tf.Scalar;
}

/** Host-side routing of T tokens to E experts, k per token. */
export interface HostRouting {
  /** Assignments per expert. */
  counts: Int32Array;
  /** `perm[j]` = assignment (t·k + slot) at position j of the expert-sorted order. */
  perm: Int32Array;
  /** Inverse of `perm`. */
  inverse: Int32Array;
}

/**
 * Picks the top-k expert ids of each token from the router probabilities;
 * returns `[T·k]` ids, row-major by token. Called inside the forward pass.
 */
export type ExpertSelector = (probs: tf.Tensor2D, topK: number) => Int32Array;

/**
 * Selects experts with a synchronous read (cpu and wasm only).
 *
 * @example
 * ```ts
 * moeLayer(x, weights, activation, undefined, options, syncTopK);
 * ```
 */
export const syncTopK: ExpertSelector = (probs, topK) => {
  const { values, indices } = tf.topk(probs, topK);
  const ids = indices.dataSync() as Int32Array;
  values.dispose();
  indices.dispose();
  return ids;
};

/**
 * Groups assignments by expert with a stable counting sort, checking that
 * every token has k distinct experts in range.
 *
 * @example
 * ```ts
 * routeOnHost(new Int32Array([1, 0, 1, 2]), 3, 2).counts; // [1, 2, 1]
 * ```
 */
export function routeOnHost(ids: Int32Array, numExperts: number, topK: number): HostRouting {
  if (ids.length % topK !== 0) throw new Error(`routing: ${ids.length} ids is not a multiple of top-k ${topK}`);
  const counts = new Int32Array(numExperts);
  for (let t = 0; t < ids.length; t += topK) {
    for (let j = 0; j < topK; j++) {
      const e = ids[t + j];
      if (!(e >= 0 && e < numExperts)) throw new Error(`routing: expert id ${e} out of range`);
      for (let i = 0; i < j; i++) if (ids[t + i] === e) throw new Error(`routing: token sent twice to expert ${e}`);
      counts[e]++;
    }
  }
  const start = new Int32Array(numExperts);
  for (let e = 1; e < numExperts; e++) start[e] = start[e - 1] + counts[e - 1];
  const perm = new Int32Array(ids.length);
  const inverse = new Int32Array(ids.length);
  for (let a = 0; a < ids.length; a++) {
    const position = start[ids[a]]++;
    perm[position] = a;
    inverse[a] = position;
  }
  return { counts, perm, inverse };
}

/**
 * Router logits `[T, E]` and softmax probabilities.
 *
 * @example
 * ```ts
 * const { logits, probs } = routerProbabilities(x, weights.router);
 * ```
 */
export function routerProbabilities(x: tf.Tensor2D, router: tf.Tensor2D): { logits: tf.Tensor2D; probs: tf.Tensor2D } {
  return tf.tidy(() => {
    const logits = linear(x, router);
    return { logits, probs: tf.softmax(logits, -1) as tf.Tensor2D };
  });
}

/**
 * The MoE layer on `x [T, d]`. `select` reads (or looks up) the top-k expert
 * ids; everything else stays on the device.
 *
 * @example
 * ```ts
 * const { y, loadBalancing, zLoss } = moeLayer(x, weights, getActivation("swiglu"), undefined,
 *   { topK: 2, normTopK: false }, syncTopK);
 * ```
 */
export function moeLayer(
  x: tf.Tensor2D,
  w: MoeWeights,
  activation: ActivationSpec,
  coefficients: tf.Tensor1D | undefined,
  options: MoeOptions,
  select: ExpertSelector,
): MoeOutput {
  return tf.tidy(() => {
    const [tokens, d] = x.shape;
    const numExperts = w.experts.length;
    const k = options.topK;
    const { logits, probs } = routerProbabilities(x, w.router);
    const ids = select(probs, k);
    if (ids.length !== tokens * k) throw new Error(`routing: expected ${tokens * k} expert ids, got ${ids.length}`);
    const routing = routeOnHost(ids, numExperts, k);

    const chosen = tf.reshape(tf.oneHot(tf.tensor1d(ids, "int32"), numExperts), [tokens, k, numExperts]);
    let weights = tf.sum(tf.mul(tf.expandDims(probs, 1), chosen), -1);
    if (options.normTopK) weights = tf.div(weights, tf.sum(weights, -1, true));

    const perm = tf.tensor1d(routing.perm, "int32");
    const inverse = tf.tensor1d(routing.inverse, "int32");
    const replicated = tf.reshape(tf.broadcastTo(tf.expandDims(x, 1), [tokens, k, d]), [tokens * k, d]);
    const sorted = permuteRows(replicated as tf.Tensor2D, perm, inverse);
    const used = Array.from(routing.counts.keys()).filter((e) => routing.counts[e] > 0);
    const blocks = used.length === 1 ? [sorted] : tf.split(sorted, used.map((e) => routing.counts[e]), 0);
    const outputs = used.map((e, i) => mlp(blocks[i] as tf.Tensor2D, w.experts[e], activation, coefficients));
    const expertOut = outputs.length === 1 ? outputs[0] : tf.concat(outputs, 0) as tf.Tensor2D;
    const perAssignment = tf.reshape(permuteRows(expertOut, inverse, perm), [tokens, k, d]);
    const y = tf.sum(tf.mul(perAssignment, tf.expandDims(weights, 2)), 1) as tf.Tensor2D;

    const counts = tf.tensor1d(Float32Array.from(routing.counts));
    const loadBalancing = tf.mul(tf.sum(tf.mul(counts, tf.mean(probs, 0))), numExperts / (tokens * k)) as tf.Scalar;
    const zLoss = tf.mean(tf.square(tf.logSumExp(logits, -1))) as tf.Scalar;
    return { y, loadBalancing, zLoss };
  });
}
