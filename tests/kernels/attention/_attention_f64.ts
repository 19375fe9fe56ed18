/**
 * Float64 reference of causal attention and its gradients, one query row at
 * a time (memory linear in the sequence, so it runs at seq 4096).
 * @module
 */

/** Output and gradients, each `[matrices, seq, headDim]` flattened. */
export interface Attention64 {
  out: Float64Array;
  dq: Float64Array;
  dk: Float64Array;
  dv: Float64Array;
}

/**
 * `softmax(scale·q·kᵀ + causal mask)·v` per matrix and the gradients of
 * Σ dy⊙out with respect to q, k and v.
 */
export function causalAttention64(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dy: Float32Array,
  [matrices, seq, d]: [number, number, number],
  scale: number,
): Attention64 {
  const [out, dq, dk, dv] = [0, 1, 2, 3].map(() => new Float64Array(matrices * seq * d));
  const p = new Float64Array(seq);
  const ds = new Float64Array(seq);
  const dot = (a: ArrayLike<number>, ia: number, b: ArrayLike<number>, ib: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += a[ia + c] * b[ib + c];
    return s;
  };
  for (let m = 0; m < matrices; m++) {
    const base = m * seq * d;
    for (let i = 0; i < seq; i++) {
      const qi = base + i * d;
      let max = -Infinity;
      for (let j = 0; j <= i; j++) max = Math.max(max, p[j] = scale * dot(q, qi, k, base + j * d));
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += p[j] = Math.exp(p[j] - max);
      let correction = 0;
      for (let j = 0; j <= i; j++) {
        p[j] /= sum;
        ds[j] = dot(dy, qi, v, base + j * d);
        correction += p[j] * ds[j];
        for (let c = 0; c < d; c++) out[qi + c] += p[j] * v[base + j * d + c];
      }
      for (let j = 0; j <= i; j++) {
        const g = p[j] * (ds[j] - correction) * scale;
        const kj = base + j * d;
        for (let c = 0; c < d; c++) {
          dq[qi + c] += g * k[kj + c];
          dk[kj + c] += g * q[qi + c];
          dv[kj + c] += p[j] * dy[qi + c];
        }
      }
    }
  }
  return { out, dq, dk, dv };
}
