/**
 * Rotary position embeddings (Hugging Face Llama convention: halves, not
 * interleaved pairs) fused with the head transpose: the cos/sin tables and the
 * row passes of {@linkcode ropeHeadsForward} / {@linkcode ropeHeadsBackward}
 * between `[batch, seq, heads, headDim]` and `[batch, heads, seq, headDim]`,
 * and the heap-thread task that runs them, in wasm SIMD (`./_simd_module.ts`)
 * when the head dimension is a multiple of 8.
 * @module
 */

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

/** `[batch, seq, heads, headDim]` of a RoPE call. */
export type RopeDims = [number, number, number, number];

/**
 * `y[b, h, p] = x[b, p, h]·cos[p] + rotate_half(x[b, p, h])·sin[p]`, with
 * `rotate_half([x1, x2]) = [-x2, x1]`: x `[batch, seq, heads, headDim]` in,
 * y `[batch, heads, seq, headDim]` out. The float32 products and sum round as
 * the unfused `x·cos + rotate_half(x)·sin` does.
 *
 * @example
 * ```ts
 * const x = new Float32Array(2 * 16 * 4 * 8), y = new Float32Array(x.length);
 * ropeHeadsForward(x, y, [2, 16, 4, 8], ropeTables(16, 8, 10000));
 * ```
 */
export function ropeHeadsForward(x: Float32Array, y: Float32Array, dims: RopeDims, t: RopeTables): void {
  const [batch, seq, heads, d] = dims;
  const half = d / 2;
  const { cos, sin } = t;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < seq; p++) {
      const tp = p * d;
      for (let h = 0; h < heads; h++) {
        const xi = ((b * seq + p) * heads + h) * d;
        const yi = ((b * heads + h) * seq + p) * d;
        for (let i = 0; i < half; i++) {
          const x1 = x[xi + i], x2 = x[xi + half + i];
          y[yi + i] = Math.fround(x1 * cos[tp + i]) + Math.fround(-x2 * sin[tp + i]);
          y[yi + half + i] = Math.fround(x2 * cos[tp + half + i]) + Math.fround(x1 * sin[tp + half + i]);
        }
      }
    }
  }
}

/**
 * The gradient of {@linkcode ropeHeadsForward}: dy `[batch, heads, seq,
 * headDim]` in, dx `[batch, seq, heads, headDim]` out, `dx1 = dy1·cos +
 * dy2·sin`, `dx2 = dy2·cos − dy1·sin` (the transposed rotation).
 *
 * @example
 * ```ts
 * const dy = new Float32Array(2 * 4 * 16 * 8), dx = new Float32Array(dy.length);
 * ropeHeadsBackward(dy, dx, [2, 16, 4, 8], ropeTables(16, 8, 10000));
 * ```
 */
export function ropeHeadsBackward(dy: Float32Array, dx: Float32Array, dims: RopeDims, t: RopeTables): void {
  const [batch, seq, heads, d] = dims;
  const half = d / 2;
  const { cos, sin } = t;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < seq; p++) {
      const tp = p * d;
      for (let h = 0; h < heads; h++) {
        const xi = ((b * seq + p) * heads + h) * d;
        const yi = ((b * heads + h) * seq + p) * d;
        for (let i = 0; i < half; i++) {
          const g1 = dy[yi + i], g2 = dy[yi + half + i];
          dx[xi + i] = Math.fround(g1 * cos[tp + i]) + Math.fround(g2 * sin[tp + half + i]);
          dx[xi + half + i] = Math.fround(g2 * cos[tp + half + i]) - Math.fround(g1 * sin[tp + i]);
        }
      }
    }
  }
}
