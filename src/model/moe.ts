/**
 * OLMoE-style mixture-of-experts layer: token-choice top-k routing over a
 * softmax router, dropless, each expert computed only on the tokens routed to
 * it, with OLMoE's (megablocks') auxiliary losses.
 *
 * Routing (router, softmax, top-k, the weights and the auxiliary losses)
 * runs on the device, once, for every backend. The top-k ids leave the
 * gradient tape there (they are integers; the weights carry the router's
 * gradient), so what is computed from them needs no gradient. Two dispatches
 * then move the rows to the experts and back (see {@linkcode MoeDispatch}).
 *
 * Auxiliary losses, per layer (the model averages them over layers, as OLMo):
 * - load balancing: `E / (T·k) · Σ_e count_e · mean_t p_{t,e}` (1 when perfectly
 *   balanced; `count_e` = assignments to expert e, `p` = full softmax);
 * - router z-loss: `mean_t (logsumexp_e logits_{t,e})²`.
 * @module
 */
import type { ActivationSpec } from "../activations/mod.ts";
import { tf } from "../backend/tf.ts";
import { floatOneHot, linear, permuteRows } from "./_ops.ts";
import { mlp, type MlpWeights } from "./mlp.ts";
import { groupedExperts } from "./moe_grouped.ts";

/** One MoE layer's weights: router `[d, E]` (stored `[in, out]`) and the experts. */
export interface MoeWeights {
  router: tf.Tensor2D;
  experts: MlpWeights[];
}

/**
 * How rows reach the experts. `ragged`: the ids are read on the host, a
 * counting sort groups the rows by expert and each expert runs on exactly its
 * rows (cpu, wasm: synchronous reads cost nothing there, and no row is
 * padded). `grouped`: sorting, padding to blocks and the expert products stay
 * on the device with shapes fixed by the batch (webgpu: no host read, so a
 * step queues without waiting; see moe_grouped.ts).
 */
export type MoeDispatch = "ragged" | "grouped";

/** Routing constants. */
export interface MoeOptions {
  topK: number;
  /** Renormalise the top-k probabilities to sum to 1 (off in OLMoE). */
  normTopK: boolean;
  /** Defaults to {@linkcode defaultDispatch} of the active backend. */
  dispatch?: MoeDispatch;
}

/** A layer's output, its (unweighted) auxiliary losses and its top-k expert ids `[T, k]` (int32). */
export interface MoeOutput {
  y: tf.Tensor2D;
  loadBalancing: tf.Scalar;
  zLoss: tf.Scalar;
  ids: tf.Tensor2D;
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
 * The dispatch for a backend: `ragged` where tensors read synchronously (cpu,
 * wasm), `grouped` elsewhere (webgpu).
 *
 * @example
 * ```ts
 * defaultDispatch("webgpu"); // "grouped"
 * ```
 */
export function defaultDispatch(backend: string = tf.getBackend()): MoeDispatch {
  return backend === "cpu" || backend === "wasm" ? "ragged" : "grouped";
}

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
 * The top-k probabilities `[T, k]` of each token (differentiable: the
 * gradient of a probability is the gradient of its weight) and their expert
 * ids, which are made off the gradient tape.
 */
function topK(probs: tf.Tensor2D, k: number): { weights: tf.Tensor2D; ids: tf.Tensor2D } {
  const numExperts = probs.shape[1];
  let kept: tf.Tensor2D | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | ((t: tf.Tensor[]) => void))[]) => {
    const [p, save] = args as [tf.Tensor2D, (t: tf.Tensor[]) => void];
    const { values, indices } = tf.topk(p, k);
    kept = tf.keep(indices);
    save([indices]);
    return {
      value: values,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const chosen = floatOneHot(saved[0], numExperts);
        return tf.sum(tf.mul(tf.expandDims(dy, 2), chosen), 1);
      },
    };
  });
  const weights = op(probs) as tf.Tensor2D;
  // A tracked copy (no kernel runs) that belongs to the caller's scope.
  const ids = tf.clone(kept!);
  kept!.dispose();
  return { weights, ids };
}

/** Routing of one layer: top-k weights and ids, assignments per expert, auxiliary losses. */
function route(x: tf.Tensor2D, router: tf.Tensor2D, options: MoeOptions) {
  const [tokens] = x.shape;
  const numExperts = router.shape[1];
  const k = options.topK;
  const logits = linear(x, router);
  const probs = tf.softmax(logits, -1) as tf.Tensor2D;
  const { weights: top, ids } = topK(probs, k);
  const weights = options.normTopK ? tf.div(top, tf.sum(top, -1, true)) as tf.Tensor2D : top;
  const counts = tf.sum(floatOneHot(tf.reshape(ids, [tokens * k]), numExperts), 0);
  const loadBalancing = tf.mul(tf.sum(tf.mul(counts, tf.mean(probs, 0))), numExperts / (tokens * k)) as tf.Scalar;
  const zLoss = tf.mean(tf.square(tf.logSumExp(logits, -1))) as tf.Scalar;
  return { ids, weights, loadBalancing, zLoss };
}

/** The ragged dispatch: host counting sort, each expert on exactly its rows; output `[T·k, d]` in assignment order. */
function raggedExperts(
  x: tf.Tensor2D,
  ids: tf.Tensor2D,
  experts: MlpWeights[],
  expert: (rows: tf.Tensor2D, w: MlpWeights) => tf.Tensor2D,
): tf.Tensor2D {
  const [tokens, d] = x.shape;
  const k = ids.shape[1];
  const routing = routeOnHost(ids.dataSync() as Int32Array, experts.length, k);
  const perm = tf.tensor1d(routing.perm, "int32");
  const inverse = tf.tensor1d(routing.inverse, "int32");
  const replicated = tf.reshape(tf.broadcastTo(tf.expandDims(x, 1), [tokens, k, d]), [tokens * k, d]);
  const sorted = permuteRows(replicated as tf.Tensor2D, perm, inverse);
  const used = Array.from(routing.counts.keys()).filter((e) => routing.counts[e] > 0);
  const blocks = used.length === 1 ? [sorted] : tf.split(sorted, used.map((e) => routing.counts[e]), 0);
  const outputs = used.map((e, i) => expert(blocks[i] as tf.Tensor2D, experts[e]));
  const expertOut = outputs.length === 1 ? outputs[0] : tf.concat(outputs, 0) as tf.Tensor2D;
  return permuteRows(expertOut, inverse, perm);
}

/**
 * The MoE layer on `x [T, d]`.
 *
 * @example
 * ```ts
 * import { getActivation } from "../activations/mod.ts";
 * import { tf } from "../backend/mod.ts";
 * const expert = () => ({ up: tf.ones([4, 6]) as tf.Tensor2D, down: tf.ones([6, 4]) as tf.Tensor2D });
 * const weights = { router: tf.ones([4, 3]) as tf.Tensor2D, experts: [expert(), expert(), expert()] };
 * const { y, loadBalancing, zLoss } = moeLayer(tf.ones([5, 4]) as tf.Tensor2D, weights, getActivation("relu"),
 *   undefined, { topK: 2, normTopK: false });
 * ```
 */
export function moeLayer(
  x: tf.Tensor2D,
  w: MoeWeights,
  activation: ActivationSpec,
  coefficients: tf.Tensor1D | undefined,
  options: MoeOptions,
): MoeOutput {
  return tf.tidy(() => {
    const [tokens, d] = x.shape;
    const k = options.topK;
    const { ids, weights, loadBalancing, zLoss } = route(x, w.router, options);
    const dispatch = options.dispatch ?? defaultDispatch();
    const perAssignment = dispatch === "ragged"
      ? raggedExperts(x, ids, w.experts, (rows, e) => mlp(rows, e, activation, coefficients))
      : groupedExperts(x, ids, w.experts, (rows, e, project) => mlp(rows, e, activation, coefficients, project));
    const combined = tf.reshape(perAssignment, [tokens, k, d]);
    const y = tf.sum(tf.mul(combined, tf.expandDims(weights, 2)), 1) as tf.Tensor2D;
    return { y, loadBalancing, zLoss, ids };
  });
}
