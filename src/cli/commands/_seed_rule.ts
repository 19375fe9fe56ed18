/**
 * The headline seed choice's statistics, from the judge: the paired SD and
 * the paired seeds 80% power against the paper's effect needs under the
 * report's own rule for a pilot-chosen comparison (a t interval at the
 * judge's adjusted level, pilotLevel, wholly on the paper's side of 0). The
 * CLI hands them to the runner, which never loads the judge (its code is
 * hashed into run ids; the seed count changes which runs are planned, never
 * what a run computes).
 * @module
 */
import { c4, minimumDetectableEffect, pilotLevel, POWER_TARGET, sampleSd } from "../../judge/mod.ts";
import type { SeedRule } from "../../runner/seed_choice.ts";

/** Largest seed count the rule searches (beyond it: Infinity). */
const SEARCH_SEEDS = 1000;

/**
 * The judge's seed rule. The power depends on effect / SD only, so the minimum detectable effect per seed count is
 * computed once at SD 1 and the rule is a lookup: the fewest seeds n with MDE(n) · σ ≤ |effect|, σ the pilot's SD made
 * unbiased (÷ c4 of its seed count: a few seeds' SD is low on average, and planning from it falls short of the
 * power on average; the simulation in tests/runner/seed_choice_test.ts checks the power). `level` gives the
 * interval's two-sided level for a seed range: the judge's, unless a simulation asks for another.
 *
 * @example
 * ```ts
 * judgeSeedRule().seedsFor(-0.019, 0.013, 3, 0.962); // 8
 * ```
 */
export function judgeSeedRule(level: SeedRule["level"] = pilotLevel): SeedRule {
  const mdes = new Map<number, number[]>();
  return {
    name: `seeds for ${POWER_TARGET * 100}% power against the paper's effect at the pilot's paired SD ` +
      "(an interval wholly on the paper's side of 0, at the level the judge reads a pilot-chosen pair at; the SD " +
      "only, made unbiased, never the observed difference)",
    sd: sampleSd,
    level,
    seedsFor(effect, sd, seeds, at) {
      const mde = mdes.get(at) ?? mdes.set(at, []).get(at)!;
      const mdeAt = (n: number) => mde[n] ??= minimumDetectableEffect(1, n, POWER_TARGET, at);
      if (!(sd > 0) || !(seeds >= 2) || !Number.isFinite(effect) || effect === 0) return NaN;
      const ratio = Math.abs(effect) * c4(seeds) / sd;
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
