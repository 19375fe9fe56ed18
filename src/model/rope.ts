/**
 * Rotary position embeddings in the Hugging Face Llama convention: the head
 * is split in halves (not interleaved pairs), `rotate_half(x) = [-x2, x1]`,
 * frequencies `theta^(-2i/d)` repeated for both halves, and
 * `x · cos + rotate_half(x) · sin`. The tables, the stock-op version and the
 * fused kernel (RoPE with the head transpose) live in src/kernels/rope/.
 *
 * @example
 * ```ts
 * import { tf } from "../backend/tf.ts";
 * import { applyRope, ropeHeads } from "./rope.ts";
 * const x = tf.randomNormal([1, 16, 2, 8]) as tf.Tensor4D;
 * applyRope(x, 10000); // [1, 16, 2, 8]
 * ropeHeads(x, 10000); // [1, 2, 16, 8]
 * ```
 * @module
 */
export { applyRope, ropeHeads, type RopeTables, ropeTables, rotateHalf } from "../kernels/rope/mod.ts";
