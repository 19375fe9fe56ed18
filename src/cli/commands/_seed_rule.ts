/**
 * The headline seed choice's statistics, from the judge: the paired SD and
 * the paired seeds 80% power against the paper's effect needs under the
 * report's own rule (a 95% t interval wholly on the paper's side of 0). The
 * CLI hands them to the runner, which never loads the judge (its code is
 * hashed into run ids; the seed count changes which runs are planned, never
 * what a run computes).
 * @module
 */
import { minimumDetectableEffect, POWER_TARGET, sampleSd } from "../../judge/mod.ts";
import type { SeedRule } from "../../runner/seed_choice.ts";

/** Largest seed count the rule searches (beyond it: Infinity). */
const SEARCH_SEEDS = 1000;

/**
 * The judge's seed rule. The power depends on effect / SD only, so the minimum detectable effect per seed count is
 * computed once at SD 1 and the rule is a lookup: the fewest seeds n with MDE(n) · sd ≤ |effect|.
 *
 * @example
 * ```ts
 * judgeSeedRule().seedsFor(-0.019, 0.013); // 6
 * ```
 */
export function judgeSeedRule(): SeedRule {
  const mde: number[] = [];
  const mdeAt = (n: number) => mde[n] ??= minimumDetectableEffect(1, n);
  return {
    name: `seeds for ${POWER_TARGET * 100}% power against the paper's effect at the pilot's paired SD ` +
      "(95% t interval wholly on the paper's side of 0; the SD only, never the observed difference)",
    sd: sampleSd,
    seedsFor(effect, sd) {
      if (!(sd > 0) || !Number.isFinite(effect) || effect === 0) return NaN;
      const ratio = Math.abs(effect) / sd;
      if (mdeAt(SEARCH_SEEDS) > ratio) return Infinity;
      // MDE falls with n: bisection on the integer.
      let lo = 1;
      let hi = SEARCH_SEEDS;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (mdeAt(mid) <= ratio) hi = mid;
        else lo = mid;
      }
      return Math.max(2, hi);
    },
  };
}
