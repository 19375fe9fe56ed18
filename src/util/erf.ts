/**
 * The error function in float64, for the normal distribution (power
 * analysis) and the float64 reference activations (GELU) of the tests: the
 * Maclaurin series of erf for |x| < 2.5 and Lentz's continued fraction of
 * erfc beyond, both to about 1e-15.
 * @module
 */

function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let k = 1; k < 200; k++) {
    term *= (-x * x) / k;
    const add = term / (2 * k + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** erfc(x) for x ≥ 2.5: exp(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))), by Lentz's method. */
function erfcFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/**
 * The error function erf(x).
 *
 * @example
 * ```ts
 * erf(0.5); // 0.5204998778130465
 * ```
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  return ax < 2.5 ? erfSeries(x) : Math.sign(x) * (1 - erfcFraction(ax));
}

/**
 * The complementary error function erfc(x) = 1 − erf(x), accurate in the far tail (x up to ~26).
 *
 * @example
 * ```ts
 * erfc(1); // 0.15729920705028513
 * ```
 */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  return x < 2.5 ? 1 - erfSeries(x) : erfcFraction(x);
}
