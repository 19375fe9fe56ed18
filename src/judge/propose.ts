/**
 * Seeds a next run would need, from a previous run's spread: for every
 * comparison with a paper effect, the paired seeds that detect it with 80%
 * power at the paired SD the previous runs showed. For the planner to print
 * beside its plan; it never changes a suite's seeds.
 * @module
 */
import type { LoadedRun } from "../results/mod.ts";
import { evaluateClaims } from "./evaluate.ts";
import { selectRuns } from "./select.ts";

/** The seeds one comparison would need. */
export interface SeedProposal {
  suite: string;
  claim: string;
  /** `<activation>-vs-<versus>` with `@<source>` for per-source comparisons, as in verdict keys. */
  comparison: string;
  /** Paired seeds the previous runs had. */
  n: number;
  /** Their paired SD of d. */
  sd: number;
  /** The paper's effect in d's units. */
  paperEffect: number;
  /** Seeds for 80% power (Infinity: more than MAX_SEEDS). */
  seeds: number;
}

/**
 * Seed proposals from previous runs (any suites, the scale each suite's report would pick), fewest first. Only
 * comparisons with at least two paired seeds and a paper effect in comparable units are listed.
 *
 * @example
 * ```ts
 * import { loadRuns } from "../results/mod.ts";
 * const proposals = proposeSeeds(await loadRuns("results"));
 * for (const p of proposals) console.log(`${p.claim} ${p.comparison}: ${p.seeds} seeds (sd ${p.sd})`);
 * ```
 */
export function proposeSeeds(runs: readonly LoadedRun[]): SeedProposal[] {
  const out: SeedProposal[] = [];
  for (const suite of [...new Set(runs.map((r) => r.record.suite))].sort()) {
    const selection = selectRuns(runs.filter((r) => r.record.suite === suite));
    for (const result of evaluateClaims(selection)) {
      for (const c of result.comparisons) {
        const p = c.power;
        if (p.n < 2 || p.paperEffect === null || p.seedsForPaper === null || Number.isNaN(p.seedsForPaper)) continue;
        out.push({
          suite,
          claim: result.claim.id,
          comparison: c.key,
          n: p.n,
          sd: p.sd,
          paperEffect: p.paperEffect,
          seeds: p.seedsForPaper,
        });
      }
    }
  }
  return out.sort((a, b) => a.seeds - b.seeds || a.claim.localeCompare(b.claim));
}
