/**
 * Testing the claims on a selection of runs: paired comparisons by seed,
 * intervals and verdicts, as plain data for the report and the gate.
 * @module
 */
import { finalEval, type LoadedRun } from "../results/mod.ts";
import {
  claimsFor,
  type ClaimSpec,
  type ComparisonSpec,
  type Direction,
  type Measure,
  type PublishedValue,
} from "./claims.ts";
import { speedupOf } from "./curves.ts";
import { measureSpec } from "./measures.ts";
import { paperEffect } from "./paper_effect.ts";
import { type ComparisonPower, comparisonPower } from "./power_reading.ts";
import { type RunSelection, selectRuns } from "./select.ts";
import { type Interval, INTERVAL_LEVEL, tInterval } from "./stats.ts";
import { comparisonLevel } from "./pilot_level.ts";
import { allPairsVerdict, pairedVerdict, type Verdict } from "./verdict.ts";
import { downstreamUntestable, type TaskChance, taskChances } from "./chance.ts";

/** One seed of a paired comparison. */
export interface SeedPair {
  seed: number;
  /** The activation's value (speed-ups: the speed-up itself). */
  a: number;
  /** The reference's value (speed-ups: NaN). */
  b: number;
  /** The paired difference a − b (speed-ups: ln speed-up). */
  d: number;
  /** How a speed-up was read ("reached at 1.2k of 1.5k tokens"). */
  note?: string;
}

/** One tested comparison of a claim. */
export interface Comparison {
  /** `<activation>-vs-<versus>`, with `@<source>` for per-source comparisons. */
  key: string;
  activation: string;
  versus: string;
  source?: string;
  measure: Measure;
  expected: Direction;
  pairs: SeedPair[];
  /** t-interval of the mean of d at `level`. */
  interval: Interval;
  /** The interval's two-sided level: 95%, or the adjusted level of a pilot-chosen comparison (pilot_level.ts). */
  level: number;
  verdict: Verdict;
  /** The paper's effect δ in d's units that the verdict was read against; null when only the direction is read. */
  effect: number | null;
  /** Why the verdict is weak or missing, in words ("one paired seed"); empty otherwise. */
  reason: string;
  paper?: PublishedValue;
  /** What these seeds could detect (see power.ts). */
  power: ComparisonPower;
}

/** A claim and what the runs say about it. */
export interface ClaimResult {
  claim: ClaimSpec;
  /** The claim's comparisons, the headline comparison (the first the claim names that the suite runs) first. */
  comparisons: Comparison[];
  /**
   * The claim's one word for tables and the gate: its headline comparison's verdict, or for a statement about all
   * its pairs (a ranking, a gap on every validation source) their joint verdict (see verdict.ts).
   */
  verdict: Verdict;
  /** Which of the two the verdict is. */
  verdictOf: "headline" | "all pairs";
  /** Activations of the claim that this suite does not run (out of its scope). */
  outOfScope: string[];
}

/**
 * The value of a per-run measure, NaN when the run lacks it.
 *
 * @example
 * ```ts
 * import type { LoadedRun } from "../results/mod.ts";
 * declare const run: LoadedRun;
 * runValue(run, "trainLoss"); // 2.31
 * runValue(run, "valLossPerSource", "brown"); // 2.45
 * ```
 */
export function runValue(run: LoadedRun, measure: Measure, source?: string): number {
  const value = measureSpec(measure).value;
  if (!value) throw new Error(`runValue: ${measure} is not a per-run measure`);
  return value(run, source);
}

function bySeed(runs: readonly LoadedRun[], activation: string): Map<number, LoadedRun> {
  return new Map(runs.filter((r) => r.record.activation === activation).map((r) => [r.record.seed, r]));
}

function formatTokens(tokens: number): string {
  if (tokens >= 1e9) return `${(tokens / 1e9).toFixed(2)}B`;
  if (tokens >= 1e6) return `${(tokens / 1e6).toFixed(2)}M`;
  if (tokens >= 1e3) return `${(tokens / 1e3).toFixed(1)}k`;
  return tokens.toFixed(0);
}

function pairFor(a: LoadedRun, b: LoadedRun, measure: Measure, source?: string): SeedPair | null {
  const seed = a.record.seed;
  const spec = measureSpec(measure);
  if (spec.pairing === "speedup") {
    const curve = spec.curve!;
    const s = speedupOf(curve(a), curve(b));
    if (!s || !Number.isFinite(s.speedup) || s.speedup <= 0) return null;
    const note = s.reached
      ? `reached at ${formatTokens(s.crossing)} of ${formatTokens(s.budget)} tokens`
      : `never reached; ${b.record.activation} reached this run's final value at ${formatTokens(s.crossing)} of ${
        formatTokens(s.budget)
      }`;
    return { seed, a: s.speedup, b: NaN, d: Math.log(s.speedup), note };
  }
  const va = runValue(a, measure, source);
  const vb = runValue(b, measure, source);
  if (!Number.isFinite(va) || !Number.isFinite(vb)) return null;
  return { seed, a: va, b: vb, d: va - vb };
}

/**
 * Compares two activations by seed on a measure.
 *
 * @example
 * ```ts
 * import type { RunSelection } from "./select.ts";
 * declare const selection: RunSelection;
 * const c = compare(selection.usable, { activation: "polynorm", versus: "swiglu", expected: "lower" }, "trainLoss");
 * c.verdict; // "reproduced"
 * ```
 */
export function compare(
  usable: readonly LoadedRun[],
  spec: ComparisonSpec,
  measure: Measure,
  source?: string,
  claim?: ClaimSpec,
  level = INTERVAL_LEVEL,
): Comparison {
  const as = bySeed(usable, spec.activation);
  const bs = bySeed(usable, spec.versus);
  const pairs: SeedPair[] = [];
  let unreadable = 0;
  for (const [seed, a] of [...as].sort(([x], [y]) => x - y)) {
    const b = bs.get(seed);
    if (!b) continue;
    const pair = pairFor(a, b, measure, source);
    if (pair) pairs.push(pair);
    else unreadable++;
  }
  const interval = tInterval(pairs.map((p) => p.d), level);
  const reasons: string[] = [];
  if (as.size === 0) reasons.push(`no finished run of ${spec.activation}`);
  if (bs.size === 0) reasons.push(`no finished run of ${spec.versus}`);
  if (as.size && bs.size && pairs.length === 0 && unreadable === 0) reasons.push("no seed has both runs");
  if (unreadable) reasons.push(`${unreadable} seed(s) without the measure`);
  if (pairs.length === 1) reasons.push("one paired seed: a point estimate, no interval");
  const published = claim ? paperEffect(claim, { ...spec, measure }) : null;
  // A ranking states an order, not sizes: its pairs are read by direction even where sizes are published.
  const effect = claim && !("ranking" in claim.test) ? published : null;
  const verdict = pairedVerdict(interval, spec.expected, effect);
  return {
    key: `${spec.activation}-vs-${spec.versus}${source !== undefined ? `@${source}` : ""}`,
    activation: spec.activation,
    versus: spec.versus,
    source,
    measure,
    expected: spec.expected,
    pairs,
    interval,
    level,
    verdict,
    effect,
    reason: reasons.join("; "),
    paper: spec.paper,
    power: comparisonPower(interval, spec.expected, verdict, published, level),
  };
}

/** A downstream comparison on tasks at chance: untestable at this size, whatever its interval. */
function atChance(c: Comparison): Comparison {
  if (c.pairs.length === 0) return c;
  const power = { ...c.power, decide: null };
  const reason = [c.reason, "no task scores above chance at this size"].filter(Boolean).join("; ");
  return { ...c, verdict: "untestable at this size", reason, power };
}

function comparisonsOf(claim: ClaimSpec, inScope: (a: string) => boolean): { specs: ComparisonSpec[]; out: string[] } {
  if ("ranking" in claim.test) {
    const order = claim.test.ranking.filter(inScope);
    const specs = order.slice(1).map((worse, i) => ({
      activation: order[i],
      versus: worse,
      expected: "lower" as const,
    }));
    return { specs, out: claim.test.ranking.filter((a) => !inScope(a)) };
  }
  const specs = claim.test.comparisons.filter((c) => inScope(c.activation) && inScope(c.versus));
  const named = [...new Set(claim.test.comparisons.flatMap((c) => [c.activation, c.versus]))];
  return { specs, out: named.filter((a) => !inScope(a)) };
}

/**
 * Tests every claim of the selection's experiment.
 *
 * @example
 * ```ts
 * import type { RunSelection } from "./select.ts";
 * declare const selection: RunSelection;
 * for (const r of evaluateClaims(selection)) console.log(r.claim.id, r.verdict);
 * ```
 */
export function evaluateClaims(selection: RunSelection, chances?: readonly TaskChance[]): ClaimResult[] {
  const inScope = (a: string) => selection.expected.activations.includes(a);
  const untestable = downstreamUntestable(chances ?? taskChances(selection.usable));
  return claimsFor(selection.experiment).map((claim) => {
    const { specs, out } = comparisonsOf(claim, inScope);
    const comparisons: Comparison[] = [];
    for (const spec of specs) {
      // Every measure of a pilot-chosen pair is read at the adjusted level: all of them use the seeds the pilot chose.
      const level = comparisonLevel(selection.expected.seedChoice, spec.activation, spec.versus);
      const perSource = measureSpec(claim.measure).perSource;
      if (!perSource) {
        comparisons.push(compare(selection.usable, spec, claim.measure, undefined, claim, level));
        continue;
      }
      const sources = new Set<string>();
      for (const run of selection.usable) {
        if (run.record.activation !== spec.activation && run.record.activation !== spec.versus) continue;
        for (const name of Object.keys(finalEval(run.evals)?.sources ?? {})) sources.add(name);
      }
      if (sources.size === 0) {
        comparisons.push(compare(selection.usable, spec, perSource.whole as Measure, undefined, claim, level));
      }
      for (const source of [...sources].sort()) {
        comparisons.push(compare(selection.usable, spec, claim.measure, source, claim, level));
      }
    }
    const judged = claim.measure === "taskAcc" && untestable ? comparisons.map(atChance) : comparisons;
    const allPairs = "ranking" in claim.test || measureSpec(claim.measure).perSource !== undefined;
    const verdict = allPairs ? allPairsVerdict(judged.map((c) => c.verdict)) : judged[0]?.verdict ?? "untested";
    return { claim, comparisons: judged, verdict, verdictOf: allPairs ? "all pairs" : "headline", outOfScope: out };
  });
}

/**
 * Claim verdicts as flat data: `<claim id>` and `<claim id>/<comparison key>`
 * → verdict. Runs of several suites get keys prefixed with `<suite>:`. Each
 * suite is judged at the scale {@linkcode selectRuns} picks, with the
 * activations and seeds present taken as its plan.
 *
 * @example
 * ```ts
 * import { loadRuns } from "../results/mod.ts";
 * claimVerdicts(await loadRuns("results", "gate"));
 * // { "dense.train_loss_gap": "smaller than published", "dense.train_loss_gap/polynorm-vs-swiglu": "smaller than published", ... }
 * ```
 */
export function claimVerdicts(runs: readonly LoadedRun[]): Record<string, Verdict> {
  const suites = [...new Set(runs.map((r) => r.record.suite))].sort();
  const out: Record<string, Verdict> = {};
  for (const suite of suites) {
    const mine = runs.filter((r) => r.record.suite === suite);
    const prefix = suites.length > 1 ? `${suite}:` : "";
    const selection = selectRuns(mine);
    for (const result of evaluateClaims(selection)) {
      out[`${prefix}${result.claim.id}`] = result.verdict;
      for (const c of result.comparisons) out[`${prefix}${result.claim.id}/${c.key}`] = c.verdict;
    }
  }
  return out;
}
