/**
 * Statistical power of the paired comparisons: how large an effect the seeds
 * a comparison had could detect, and how many seeds an effect would need.
 *
 * The test is the report's own verdict rule: a comparison is reproduced when
 * the 95% Student-t interval of the mean paired difference d lies wholly on
 * the expected side of 0, i.e. when t = mean·√n / sd exceeds t(0.975, n−1)
 * in the expected direction. With a true mean effect δ and paired standard
 * deviation σ, t follows the noncentral t distribution with n − 1 degrees of
 * freedom and noncentrality δ√n/σ, so the power is
 *
 *   P(T'(n−1, δ√n/σ) > t(0.975, n−1)),
 *
 * the upper tail only (a significant result on the wrong side would be a
 * contradiction, not a detection). The noncentral t tail is computed exactly
 * (up to quadrature error, < 1e-9) as E[Φ(δ√n/σ − t·S)] over S = √(χ²ₙ₋₁/(n−1)),
 * by Simpson's rule on S's density; no normal approximation. σ is the
 * observed paired SD, so the numbers are estimates, as good as that SD.
 * Tested against mpmath in tests/judge/power_test.ts.
 * @module
 */
import { erfc } from "../util/erf.ts";
import { INTERVAL_LEVEL, lnGamma, studentTQuantile } from "./stats.ts";

/** The report's interval level (two-sided 95%) that power is stated at unless a comparison has its own. */
export const POWER_LEVEL = INTERVAL_LEVEL;
/** Power the minimum detectable effect and the seed counts are stated at. */
export const POWER_TARGET = 0.8;
/** The most seeds {@linkcode seedsToDetect} searches. */
export const MAX_SEEDS = 10_000;

/**
 * Standard normal CDF Φ(x).
 *
 * @example
 * ```ts
 * normalCdf(1.959963984540054); // 0.975
 * ```
 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Upper tail of the noncentral t distribution: P(T' > t) for `df` (an integer ≥ 1) degrees of freedom and
 * noncentrality `ncp`.
 *
 * @example
 * ```ts
 * noncentralTSf(2.2621571628, 9, Math.sqrt(10)); // 0.80313 (d = 1, n = 10: the textbook 80%)
 * ```
 */
export function noncentralTSf(t: number, df: number, ncp: number): number {
  if (!(df >= 1) || !Number.isInteger(df)) throw new RangeError(`noncentral t needs an integer df ≥ 1 (got ${df})`);
  // S = √(χ²_df / df) has density 2(df/2)^(df/2)/Γ(df/2) · s^(df−1) · exp(−df·s²/2).
  const lnNorm = Math.log(2) + (df / 2) * Math.log(df / 2) - lnGamma(df / 2);
  const spread = 1 / Math.sqrt(2 * df);
  const lo = df < 30 ? 0 : Math.max(0, 1 - 14 * spread);
  const hi = df < 30 ? 1 + 14 * Math.max(spread, 0.5) : 1 + 14 * spread;
  const steps = 4000;
  const h = (hi - lo) / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const s = lo + i * h;
    const density = s === 0
      ? (df === 1 ? Math.exp(lnNorm) : 0)
      : Math.exp(lnNorm + (df - 1) * Math.log(s) - df * s * s / 2);
    const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    // P(Z + ncp > t·s) = Φ(ncp − t·s).
    sum += weight * density * normalCdf(ncp - t * s);
  }
  return Math.min(1, Math.max(0, (sum * h) / 3));
}

/**
 * The power of the verdict rule: the probability that `n` paired seeds with paired SD `sd` give an interval (two-sided
 * `level`) wholly on the effect's side when the true mean difference is `effect` (its sign does not matter).
 *
 * @example
 * ```ts
 * pairedPower(1, 1, 10); // 0.8031
 * ```
 */
export function pairedPower(effect: number, sd: number, n: number, level = POWER_LEVEL): number {
  if (n < 2 || !(sd > 0) || !Number.isFinite(effect)) return NaN;
  const df = n - 1;
  return noncentralTSf(studentTQuantile(1 - (1 - level) / 2, df), df, (Math.abs(effect) * Math.sqrt(n)) / sd);
}

/**
 * The minimum detectable effect: the smallest |mean difference| that `n` paired seeds with paired SD `sd` detect
 * with `power` (default {@linkcode POWER_TARGET}) under the verdict rule at `level`; NaN for n < 2 or no spread.
 *
 * @example
 * ```ts
 * minimumDetectableEffect(1, 10); // 0.9958 (in units of sd)
 * ```
 */
export function minimumDetectableEffect(sd: number, n: number, power = POWER_TARGET, level = POWER_LEVEL): number {
  if (n < 2 || !(sd > 0)) return NaN;
  let lo = 0;
  let hi = sd;
  while (pairedPower(hi, sd, n, level) < power) hi *= 2;
  for (let i = 0; i < 60 && hi - lo > 1e-10 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (pairedPower(mid, sd, n, level) < power) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The fewest paired seeds (≥ 2) that detect `effect` with `power` given paired SD `sd` at interval `level`;
 * `Infinity` when even {@linkcode MAX_SEEDS} do not, NaN without an effect or a spread.
 *
 * @example
 * ```ts
 * seedsToDetect(0.5, 1); // 34 (Cohen's d = 0.5)
 * seedsToDetect(0.019, 0.055); // how many seeds the paper's PolyNorm gap needs at a 0.055 nats spread
 * ```
 */
export function seedsToDetect(effect: number, sd: number, power = POWER_TARGET, level = POWER_LEVEL): number {
  if (!Number.isFinite(effect) || effect === 0 || !(sd > 0)) return NaN;
  if (pairedPower(effect, sd, MAX_SEEDS, level) < power) return Infinity;
  // Power grows with n: exponential search, then bisection on the integer.
  let hi = 2;
  while (pairedPower(effect, sd, hi, level) < power) hi = Math.min(MAX_SEEDS, hi * 2);
  let lo = Math.max(1, Math.floor(hi / 2));
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (pairedPower(effect, sd, mid, level) < power) lo = mid;
    else hi = mid;
  }
  return Math.max(2, hi);
}
