/**
 * The interval level of a comparison whose seed count an internal pilot
 * chose. Choosing n from the pilot's paired SD (never its mean difference)
 * still ties n to the data: a pilot whose SD came out small asks for few
 * seeds, and those few seeds' pooled SD, which holds the pilot's, is small
 * too, so a 95% interval lies wholly on one side of 0 more often than 2.5% of
 * the time when there is no effect (about 3% with the dense suite's 6 to 12
 * seeds, over 4% with the MoE suite's 3 to 12): the known inflation of
 * internal-pilot sample-size re-estimation (Wittes & Brittain 1990). As
 * Kieser & Friede (2000) do, the final interval's nominal level is adjusted
 * instead: α' below is, per seed range, the largest one-sided level on a grid
 * of 0.0005 whose whole procedure (a 3-seed pilot, the seed rule planned at
 * α', the range's minimum and maximum, the interval at α') keeps the false
 * rate at or below 2.5% at every true paired SD from 0.26 to 2.1 times the
 * paper's effect (0.005 to 0.04 against the dense suite's −0.019; only
 * SD / effect matters), over 20,000 seeded simulated experiments per SD.
 * tests/runner/seed_choice_test.ts repeats the derivation for every suite's
 * range and checks the rate and the power on fresh draws; the seed rule plans
 * its power at the same level, so the power stays as planned.
 * @module
 */
import type { SeedChoice } from "../results/plan.ts";
import { INTERVAL_LEVEL } from "./stats.ts";

/**
 * α' per headline seed range (`<minimum>-<maximum>`, with a 3-seed pilot): the fewer seeds the minimum allows, the
 * more the count can follow a low pilot SD, and the lower α' must be. The test re-derives every suite's range.
 */
export const PILOT_ALPHAS: Readonly<Record<string, number>> = { "6-12": 0.019, "3-12": 0.013 };

/**
 * The two-sided level 1 − 2α' a comparison is read at when a pilot chose its seeds between `minSeeds` and
 * `maxSeeds`; a range not tabulated gets the smallest tabulated α' (the most cautious).
 *
 * @example
 * ```ts
 * pilotLevel(6, 12); // 0.962
 * ```
 */
export function pilotLevel(minSeeds: number, maxSeeds: number): number {
  const alpha = PILOT_ALPHAS[`${minSeeds}-${maxSeeds}`] ?? Math.min(...Object.values(PILOT_ALPHAS));
  return 1 - 2 * alpha;
}

/**
 * A two-sided level in words ("95%", "96.2%").
 *
 * @example
 * ```ts
 * levelText(0.95); // "95%"
 * ```
 */
export function levelText(level: number): string {
  return `${Number((level * 100).toFixed(2))}%`;
}

/**
 * The interval level of a comparison of `activation` with `versus`: the level the plan's seed choice was planned at
 * when it came from a pilot's SD for this pair (either order), else the report's 95%.
 *
 * @example
 * ```ts
 * import type { SeedChoice } from "../results/plan.ts";
 * declare const choice: SeedChoice;
 * comparisonLevel(choice, "polynorm", "swiglu"); // 0.962
 * comparisonLevel(undefined, "polynorm", "swiglu"); // 0.95
 * ```
 */
export function comparisonLevel(choice: SeedChoice | undefined, activation: string, versus: string): number {
  if (!choice || choice.pilotSd === undefined || !choice.pair || choice.level === undefined) return INTERVAL_LEVEL;
  const [a, b] = choice.pair;
  return (a === activation && b === versus) || (a === versus && b === activation) ? choice.level : INTERVAL_LEVEL;
}
