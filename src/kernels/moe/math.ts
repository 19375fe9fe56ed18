/**
 * Reference loops of the MoE kernels: the grouped product over
 * expert-sorted, block-padded rows (each block of {@linkcode MOE_BLOCK_ROWS}
 * rows belongs to one expert, named by `blockExpert`; a block whose expert
 * is `E` or more is padding and yields zeros), its weight gradient, and the
 * row selection that dispatches token rows to those blocks and back.
 * @module
 */

/** Rows per block: every block of the expert-sorted rows belongs to one expert. */
export const MOE_BLOCK_ROWS = 32;

/** Sizes of a grouped product: `x [rows, inner]`, `w [experts, …]`, output `[rows, outer]`. */
export interface GroupedShape {
  rows: number;
  inner: number;
  outer: number;
  experts: number;
}

/**
 * `y[r] = x[r] · W_e` for the expert `e` of row r's block, with `w` holding
 * `[experts, inner, outer]` (`transposeW`: `[experts, outer, inner]`, so
 * `y[r] = x[r] · W_eᵀ`). Padding blocks give zero rows.
 *
 * @example
 * ```ts
 * const [x, w] = [new Float32Array(64 * 8).fill(1), new Float32Array(2 * 8 * 4).fill(1)];
 * groupedMatMul(x, w, new Int32Array([1, 2]), { rows: 64, inner: 8, outer: 4, experts: 2 }, false); // rows 32-63 zero
 * ```
 */
export function groupedMatMul(
  x: Float32Array,
  w: Float32Array,
  blockExpert: Int32Array,
  s: GroupedShape,
  transposeW: boolean,
): Float32Array {
  const y = new Float32Array(s.rows * s.outer);
  const size = s.inner * s.outer;
  for (let r = 0; r < s.rows; r++) {
    const e = blockExpert[Math.floor(r / MOE_BLOCK_ROWS)];
    if (e >= s.experts) continue;
    for (let j = 0; j < s.outer; j++) {
      let acc = 0;
      for (let i = 0; i < s.inner; i++) {
        const wij = transposeW ? w[e * size + j * s.inner + i] : w[e * size + i * s.outer + j];
        acc += x[r * s.inner + i] * wij;
      }
      y[r * s.outer + j] = acc;
    }
  }
  return y;
}

/**
 * `dW_e = Σ_{rows r of expert e} a[r]ᵀ · b[r]` for `a [rows, m]`, `b [rows, n]`:
 * `[experts, m, n]`, summed over rows in order.
 *
 * @example
 * ```ts
 * const [x, dy] = [new Float32Array(64 * 8).fill(1), new Float32Array(64 * 4).fill(1)];
 * groupedWeightGrad(x, dy, new Int32Array([0, 1]), 64, 8, 4, 2); // every entry 32
 * ```
 */
export function groupedWeightGrad(
  a: Float32Array,
  b: Float32Array,
  blockExpert: Int32Array,
  rows: number,
  m: number,
  n: number,
  experts: number,
): Float32Array {
  const out = new Float32Array(experts * m * n);
  for (let r = 0; r < rows; r++) {
    const e = blockExpert[Math.floor(r / MOE_BLOCK_ROWS)];
    if (e >= experts) continue;
    for (let i = 0; i < m; i++) {
      const ai = a[r * m + i];
      for (let j = 0; j < n; j++) out[(e * m + i) * n + j] += ai * b[r * n + j];
    }
  }
  return out;
}

/**
 * `y[i] = x[index[i]]` for rows of width `width`, and a zero row where
 * `index[i]` is outside `[0, rows of x)` (padding).
 *
 * @example
 * ```ts
 * selectRows(new Float32Array([1, 2, 3, 4]), new Int32Array([1, -1]), 2); // [3, 4, 0, 0]
 * ```
 */
export function selectRows(x: Float32Array, index: Int32Array, width: number): Float32Array {
  const rows = x.length / width;
  const y = new Float32Array(index.length * width);
  index.forEach((src, i) => {
    if (src >= 0 && src < rows) y.set(x.subarray(src * width, (src + 1) * width), i * width);
  });
  return y;
}
