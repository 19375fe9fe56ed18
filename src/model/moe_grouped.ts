/**
 * The grouped MoE dispatch: every step of it runs on the device with shapes
 * fixed by the batch, so a WebGPU step never waits on a read.
 *
 * The T·k (token, slot) assignments are sorted by expert, stably (in
 * assignment order within an expert, as the host sort of moe.ts), and each
 * expert's rows are padded to a whole number of blocks of
 * {@linkcode MOE_BLOCK_ROWS} rows, as MegaBlocks does: the rows fit in
 * `⌊(T·k + E·(block − 1)) / block⌋` blocks, whatever the routing. The padded
 * rows are zeros; their outputs are never read back and their gradients are
 * zero, so they change no result. The expert products are grouped products
 * over those blocks (src/kernels/moe/), with the experts' weights stacked
 * `[E, in, out]`.
 * @module
 */
import { tf } from "../backend/tf.ts";
import { groupedMatMul, MOE_BLOCK_ROWS, selectRows } from "../kernels/moe/mod.ts";
import { floatOneHot } from "./_ops.ts";
import type { MlpWeights, Projection } from "./mlp.ts";

/** Where every assignment goes in the expert-sorted, block-padded rows. */
export interface BlockLayout {
  /** `[T·k]`: the row of assignment t·k + slot. */
  position: tf.Tensor1D;
  /** `[blocks · block]`: the assignment of each row, -1 for padding. */
  source: tf.Tensor1D;
  /** `[blocks]`: the expert of each block, E for the blocks past the last expert's. */
  blockExpert: tf.Tensor1D;
}

/**
 * Blocks of the padded layout for T·k assignments over E experts: the bound
 * that holds for every routing.
 *
 * @example
 * ```ts
 * layoutBlocks(2048 * 8, 64); // 575 (16384 rows + 64 partial blocks)
 * ```
 */
export function layoutBlocks(assignments: number, experts: number): number {
  return Math.floor((assignments + experts * (MOE_BLOCK_ROWS - 1)) / MOE_BLOCK_ROWS);
}

/**
 * The layout of the expert ids `ids [T, k]` (int32, distinct per token) for
 * E experts, computed with device ops: an assignment's rank within its expert
 * is the number of earlier tokens routed to that expert (an exclusive running
 * sum over tokens of the `[T, E]` routing mask; a token sends one assignment
 * to an expert at most).
 *
 * @example
 * ```ts
 * import { tf } from "../backend/mod.ts";
 * const { position, source, blockExpert } = blockLayout(tf.tensor2d([[1, 0]], [1, 2], "int32"), 2);
 * ```
 */
export function blockLayout(ids: tf.Tensor2D, experts: number): BlockLayout {
  return tf.tidy(() => {
    const [tokens, k] = ids.shape;
    const assignments = tokens * k;
    const blocks = layoutBlocks(assignments, experts);
    // Float sums throughout: exact below 2^24.
    const mask = tf.sum(floatOneHot(ids, experts), 1) as tf.Tensor2D;
    const rank = tf.cumsum(mask, 0, true);
    const padded = tf.mul(tf.ceil(tf.div(tf.sum(mask, 0), MOE_BLOCK_ROWS)), MOE_BLOCK_ROWS);
    const ends = tf.cumsum(padded);
    const starts = tf.sub(ends, padded);
    const flat = tf.reshape(ids, [assignments]);
    const tokenOf = tf.reshape(tf.broadcastTo(tf.expandDims(tf.range(0, tokens, 1, "int32"), 1), [tokens, k]), [
      assignments,
    ]);
    const cell = tf.add(tf.mul(tokenOf, tf.scalar(experts, "int32")), flat);
    const rows = tf.add(tf.gather(tf.reshape(rank, [tokens * experts]), cell), tf.gather(starts, flat));
    const position = tf.cast(rows, "int32") as tf.Tensor1D;
    const numbered = tf.range(1, assignments + 1, 1, "int32");
    const source = tf.sub(
      tf.scatterND(tf.expandDims(position, 1), numbered, [blocks * MOE_BLOCK_ROWS]),
      tf.scalar(1, "int32"),
    ) as tf.Tensor1D;
    // The expert of a block is the number of experts whose rows end at or before its first row.
    const firstRows = tf.mul(tf.range(0, blocks, 1, "float32"), MOE_BLOCK_ROWS);
    const ended = tf.where(
      tf.lessEqual(tf.expandDims(ends, 0), tf.expandDims(firstRows, 1)),
      tf.scalar(1),
      tf.scalar(0),
    );
    const blockExpert = tf.cast(tf.sum(ended, 1), "int32") as tf.Tensor1D;
    return { position, source, blockExpert };
  });
}

/** Runs one expert block on rows; `project` applies the block's projections. */
export type GroupedExpert = (rows: tf.Tensor2D, w: MlpWeights, project: Projection) => tf.Tensor2D;

/**
 * Every expert on its assignments of `x [T, d]` (ids `[T, k]`), through the
 * block-padded layout; output `[T·k, d]` in assignment order.
 *
 * @example
 * ```ts
 * import { getActivation } from "../activations/mod.ts";
 * import { tf } from "../backend/mod.ts";
 * import { mlp } from "./mlp.ts";
 * const expert = () => ({ up: tf.ones([4, 6]) as tf.Tensor2D, down: tf.ones([6, 4]) as tf.Tensor2D });
 * const out = groupedExperts(tf.ones([3, 4]) as tf.Tensor2D, tf.tensor2d([[0], [1], [0]], [3, 1], "int32"),
 *   [expert(), expert()], (rows, w, project) => mlp(rows, w, getActivation("relu"), undefined, project)); // [3, 4]
 * ```
 */
export function groupedExperts(
  x: tf.Tensor2D,
  ids: tf.Tensor2D,
  experts: MlpWeights[],
  expert: GroupedExpert,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [tokens, d] = x.shape;
    const k = ids.shape[1];
    const { position, source, blockExpert } = blockLayout(ids, experts.length);
    const replicated = tf.reshape(tf.broadcastTo(tf.expandDims(x, 1), [tokens, k, d]), [tokens * k, d]);
    const sorted = selectRows(replicated as tf.Tensor2D, source, position);
    const stacked = new Map<keyof MlpWeights, tf.Tensor3D>();
    const project: Projection = (rows, which) => {
      if (!stacked.has(which)) stacked.set(which, tf.stack(experts.map((e) => e[which]!)) as tf.Tensor3D);
      return groupedMatMul(rows, stacked.get(which)!, blockExpert);
    };
    const out = expert(sorted, experts[0], project);
    return selectRows(out, position, source);
  });
}
