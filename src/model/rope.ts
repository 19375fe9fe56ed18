/**
 * Rotary position embeddings in the Hugging Face Llama convention: the head
 * is split in halves (not interleaved pairs), `rotate_half(x) = [-x2, x1]`,
 * frequencies `theta^(-2i/d)` repeated for both halves, and
 * `x · cos + rotate_half(x) · sin`.
 * @module
 */
import { tf } from "../backend/tf.ts";

/** cos and sin tables, `[seqLen, headDim]` row-major. */
export interface RopeTables {
  cos: Float32Array;
  sin: Float32Array;
}

const cache = new Map<string, RopeTables>();
const CACHE_LIMIT = 16;

/**
 * The cos/sin tables for positions 0..seqLen-1. Frequencies and angles are
 * rounded to float32 as PyTorch computes them, so tables match HF's closely
 * at long positions.
 *
 * @example
 * ```ts
 * const { cos, sin } = ropeTables(128, 64, 10000);
 * ```
 */
export function ropeTables(seqLen: number, headDim: number, theta: number): RopeTables {
  const key = `${seqLen}/${headDim}/${theta}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const half = headDim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    invFreq[i] = Math.fround(1 / Math.fround(Math.pow(theta, Math.fround((2 * i) / headDim))));
  }
  const cos = new Float32Array(seqLen * headDim);
  const sin = new Float32Array(seqLen * headDim);
  for (let p = 0; p < seqLen; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * invFreq[i]);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * headDim + i] = c;
      cos[p * headDim + half + i] = c;
      sin[p * headDim + i] = s;
      sin[p * headDim + half + i] = s;
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  const tables = { cos, sin };
  cache.set(key, tables);
  return tables;
}

/**
 * rotate_half: `[x1, x2] → [-x2, x1]` over the last axis.
 *
 * @example
 * ```ts
 * rotateHalf(tf.tensor1d([1, 2, 3, 4])); // [-3, -4, 1, 2]
 * ```
 */
export function rotateHalf(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [x1, x2] = tf.split(x, 2, -1);
    return tf.concat([tf.neg(x2), x1], -1);
  });
}

/**
 * Applies RoPE to `x` of shape `[batch, seqLen, heads, headDim]`.
 *
 * @example
 * ```ts
 * const q = applyRope(tf.randomNormal([1, 16, 2, 8]), 10000);
 * ```
 */
export function applyRope(x: tf.Tensor4D, theta: number): tf.Tensor4D {
  const [, seqLen, , headDim] = x.shape;
  const tables = ropeTables(seqLen, headDim, theta);
  return tf.tidy(() => {
    const cos = tf.tensor4d(tables.cos, [1, seqLen, 1, headDim]);
    const sin = tf.tensor4d(tables.sin, [1, seqLen, 1, headDim]);
    return tf.add(tf.mul(x, cos), tf.mul(rotateHalf(x), sin)) as tf.Tensor4D;
  });
}
