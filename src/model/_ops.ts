/**
 * Differentiable building blocks that tfjs lacks on some backends: a row
 * gather with a gradient everywhere (wasm has no gradient for tf.gather), a
 * permutation whose gradient is the inverse permutation (deterministic, no
 * atomics), and softmax cross-entropy (the fused kernel of
 * src/kernels/cross_entropy/ where the backend has one; else stock ops that
 * never build a one-hot matrix in the forward pass). Every matmul of the model goes through
 * {@linkcode linear}, so a faster kernel can be swapped in at one place.
 * @module
 */
import { tf } from "../backend/tf.ts";
import { FUSED_CROSS_ENTROPY, fusedOrStock, fusedSoftmaxCrossEntropy } from "../kernels/cross_entropy/mod.ts";
import { FUSED_PROJECTIONS, fusedProjections, projectionsFusable } from "../kernels/projections/mod.ts";

/**
 * `x · w` with `w` stored `[in, out]` (no transposed operand in the forward pass).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * linear(tf.ones([2, 3]), tf.ones([3, 4])); // [2, 4]
 * ```
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  // On webgpu the grouped kernel with one weight: its backward is one dispatch.
  return fusedOrStock(
    FUSED_PROJECTIONS,
    projectionsFusable(x, [w]),
    () => fusedProjections(x, [w])[0],
    () => tf.matMul(x, w),
  );
}

/**
 * `[x · w0, x · w1, …]`: one grouped kernel each way where the backend has
 * it (src/kernels/projections/), else one product per weight, in order.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * const [a, b] = linears(tf.ones([2, 3]), [tf.ones([3, 4]), tf.ones([3, 5])]); // [2, 4], [2, 5]
 * ```
 */
export function linears(x: tf.Tensor2D, ws: readonly tf.Tensor2D[]): tf.Tensor2D[] {
  return fusedOrStock(
    FUSED_PROJECTIONS,
    projectionsFusable(x, ws),
    () => fusedProjections(x, ws),
    () => ws.map((w) => tf.matMul(x, w)),
  );
}

/**
 * `x[..., j] == value` as float32 ones and zeros (a select, never a cast):
 * tfjs-backend-webgpu casts int32 and bool to float32 by relabelling the
 * buffer, which some of its programs then read as float bits, and
 * tfjs-backend-wasm's OneHot writes zeros for a float32 dtype.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/mod.ts";
 * floatEqual(tf.tensor1d([2, 0], "int32"), tf.range(0, 3, 1, "int32") as tf.Tensor1D); // [[0, 0, 1], [1, 0, 0]]
 * ```
 */
export function floatEqual(x: tf.Tensor, values: tf.Tensor1D): tf.Tensor {
  return tf.where(tf.equal(tf.expandDims(x, -1), values), tf.scalar(1), tf.scalar(0));
}

/**
 * One-hot rows `[..., depth]` of int32 ids as float32 (see {@linkcode floatEqual}).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/mod.ts";
 * floatOneHot(tf.tensor1d([2, 0], "int32"), 3); // [[0, 0, 1], [1, 0, 0]]
 * ```
 */
export function floatOneHot(ids: tf.Tensor, depth: number): tf.Tensor {
  return floatEqual(ids, tf.range(0, depth, 1, "int32") as tf.Tensor1D);
}

type Saver = (tensors: tf.Tensor[]) => void;

const gatherRowsOp = tf.customGrad((...args: (tf.Tensor | Saver)[]) => {
  const [table, indices] = args as [tf.Tensor2D, tf.Tensor1D];
  const save = args[2] as Saver;
  save([indices]);
  const shape = table.shape;
  return {
    value: tf.gather(table, indices),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const idx = saved[0];
      // scatterND sums rows of duplicate indices, which is the gather's adjoint.
      return [tf.scatterND(tf.expandDims(idx, 1), dy, shape), tf.zeros(idx.shape)];
    },
  };
});

/**
 * `table[indices]` (rows), differentiable with respect to `table` on every backend.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * gatherRows(tf.randomNormal([10, 4]) as tf.Tensor2D, tf.tensor1d([3, 3, 1], "int32")); // [3, 4]
 * ```
 */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  return gatherRowsOp(table, indices) as tf.Tensor2D;
}

const permuteRowsOp = tf.customGrad((...args: (tf.Tensor | Saver)[]) => {
  const [x, perm, inverse] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
  const save = args[3] as Saver;
  save([perm, inverse]);
  return {
    value: tf.gather(x, perm),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.gather(dy, saved[1]),
      tf.zeros(saved[0].shape),
      tf.zeros(saved[1].shape),
    ],
  };
});

/**
 * `x[perm]` for a permutation `perm` whose inverse is `inverse`; the gradient
 * is `dy[inverse]`, so no scatter (and no float atomics on WebGPU) is needed.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * const x = tf.tensor2d([[0, 0], [1, 1], [2, 2]]);
 * const y = permuteRows(x, tf.tensor1d([2, 0, 1], "int32"), tf.tensor1d([1, 2, 0], "int32"));
 * ```
 */
export function permuteRows(x: tf.Tensor2D, perm: tf.Tensor1D, inverse: tf.Tensor1D): tf.Tensor2D {
  return permuteRowsOp(x, perm, inverse) as tf.Tensor2D;
}

const crossEntropyOp = tf.customGrad((...args: (tf.Tensor | Saver)[]) => {
  const [logits, flatTargets] = args as [tf.Tensor2D, tf.Tensor1D];
  const save = args[2] as Saver;
  const [n, v] = logits.shape;
  const lse = tf.logSumExp(logits, -1);
  const value = tf.tidy(() => tf.mean(tf.sub(lse, tf.gather(tf.reshape(logits, [n * v]), flatTargets))));
  save([logits, lse, flatTargets]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [x, logZ, idx] = saved;
      const probs = tf.exp(tf.sub(x, tf.expandDims(logZ, 1)));
      const hot = tf.reshape(tf.scatterND(tf.expandDims(idx, 1), tf.ones([n]), [n * v]), [n, v]);
      return [tf.mul(tf.sub(probs, hot), tf.div(dy, n)), tf.zeros(idx.shape)];
    },
  };
});

/**
 * Mean softmax cross-entropy of `logits [n, vocab]` against integer targets.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * softmaxCrossEntropy(tf.zeros([2, 4]) as tf.Tensor2D, new Int32Array([1, 3])); // log(4)
 * ```
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: Int32Array | tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const t = targets instanceof Int32Array ? tf.tensor1d(targets, "int32") : targets;
    const fused = () => fusedSoftmaxCrossEntropy(logits, t);
    return fusedOrStock(FUSED_CROSS_ENTROPY, logits.size > 0, fused, () => softmaxCrossEntropyStock(logits, t));
  });
}

/**
 * The same loss from stock ops (the fallback where the backend has no fused
 * kernel, and the reference the fused kernels are tested against).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * softmaxCrossEntropyStock(tf.zeros([2, 4]) as tf.Tensor2D, tf.tensor1d([1, 3], "int32")); // log(4)
 * ```
 */
export function softmaxCrossEntropyStock(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const [n, v] = logits.shape;
    // Flat index n·v + target picks each row's target logit from the flattened logits.
    const flat = tf.add(tf.mul(tf.range(0, n, 1, "int32"), tf.scalar(v, "int32")), targets) as tf.Tensor1D;
    return crossEntropyOp(logits, flat) as tf.Scalar;
  });
}

/**
 * Log-probabilities of the targets: `log_softmax(logits)[i, targets[i]]`, no gradient.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * targetLogProbs(tf.zeros([2, 4]) as tf.Tensor2D, tf.tensor1d([1, 3], "int32")); // [-log 4, -log 4]
 * ```
 */
export function targetLogProbs(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const [n, v] = logits.shape;
    const flat = tf.add(tf.mul(tf.range(0, n, 1, "int32"), tf.scalar(v, "int32")), targets) as tf.Tensor1D;
    const picked = tf.gather(tf.reshape(logits, [n * v]), flat);
    return tf.sub(picked, tf.logSumExp(logits, -1)) as tf.Tensor1D;
  });
}
