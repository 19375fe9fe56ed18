/**
 * Float64 tools shared by the fused-kernel tests (tests/kernels, tests/activations):
 * central finite differences, to check closed-form gradients themselves, and
 * a row-relative error measure. Plain TypeScript with no code shared with src/.
 * @module
 */

/** A batch of rows. */
export type Rows = number[][];

/**
 * Central finite differences of L(x, p) = Σ g ⊙ f(x, p) in float64, with
 * respect to the rows x and the parameter vector p.
 */
export function finiteDifferences(
  f: (x: Rows, p: number[]) => Rows,
  x: Rows,
  p: number[],
  g: Rows,
): { dx: Rows; dp: number[] } {
  const loss = (xs: Rows, ps: number[]) =>
    f(xs, ps).reduce((t, row, k) => row.reduce((u, v, j) => u + v * g[k][j], t), 0);
  const step = (v: number) => 1e-6 * Math.max(1, Math.abs(v));
  const dx = x.map((row, k) =>
    row.map((v, j) => {
      const h = step(v);
      const plus = x.map((r) => r.slice());
      const minus = x.map((r) => r.slice());
      plus[k][j] = v + h;
      minus[k][j] = v - h;
      return (loss(plus, p) - loss(minus, p)) / (2 * h);
    })
  );
  const dp = p.map((v, i) => {
    const h = step(v);
    const plus = p.slice();
    const minus = p.slice();
    plus[i] = v + h;
    minus[i] = v - h;
    return (loss(x, plus) - loss(x, minus)) / (2 * h);
  });
  return { dx, dp };
}

/**
 * Largest |got − want| over rows of length n, each relative to
 * max(1e-30, max |want| in that row); NaN or a non-finite value where want is
 * finite counts as Infinity.
 */
export function maxRowError(got: ArrayLike<number>, want: ArrayLike<number>, n: number): number {
  let worst = 0;
  for (let start = 0; start < want.length; start += n) {
    let scale = 1e-30;
    for (let j = start; j < start + n; j++) scale = Math.max(scale, Math.abs(want[j]));
    for (let j = start; j < start + n; j++) {
      const e = Math.abs(got[j] - want[j]) / scale;
      worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
    }
  }
  return worst;
}
