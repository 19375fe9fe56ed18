/**
 * Fitting a plan into a time budget, in priority order: per suite (the
 * first suite first), the largest rung whose core comparison (the first two
 * activations, the headline claim, × the headline's minimum seeds) fits in
 * what is left, then as many more paired seeds as the headline's seed choice
 * asks for and the budget fits; then the other activations, suite by suite,
 * seed by seed, while they fit (an activation joins with two seeds or not at
 * all). What does not fit is listed, so the report can say what a longer
 * budget adds.
 * @module
 */
import type { LoadedSuite } from "../suite/load.ts";
import type { Suite } from "../suite/schema.ts";
import type { CodeVersion } from "../results/schema.ts";
import type { SeedChoice } from "../results/plan.ts";
import { type PlannedRun, planSuite, seedsAt } from "./plan.ts";
import { chooseSeeds, headlineOf, PILOT_SEEDS, type PilotSd, seedList, type SeedRule } from "./seed_choice.ts";

/** Seeds a budget plan gives a suite without a headline setting (paired comparisons need a spread). */
export const MIN_SEEDS = 3;
/** Seeds an activation beyond the core has at least once the budget adds it. */
export const MIN_EXTRA_SEEDS = 2;
/** Activations per suite that form its core comparison (the suite lists the headline pair first). */
export const CORE_ACTIVATIONS = 2;

/** A run with its estimate. */
export interface EstimatedRun {
  run: PlannedRun;
  seconds: number;
}

/** What the budget kept and left out. */
export interface BudgetPlan {
  /** Per suite: the chosen rung (null when not even the smallest core fits). */
  rungs: Map<string, string | null>;
  runs: EstimatedRun[];
  leftOut: EstimatedRun[];
  /** Per suite with a headline: how its paired seeds were chosen. */
  seedChoices: Map<string, SeedChoice>;
  /** Expected wall time of `runs` on `jobs` parallel jobs. */
  makespanSeconds: number;
}

/**
 * Wall time of runs started in order on `jobs` parallel slots, each taking
 * the next run when free.
 *
 * @example
 * ```ts
 * makespan([10, 10, 10], 2); // 20
 * ```
 */
export function makespan(seconds: readonly number[], jobs: number): number {
  const slots = new Array(Math.max(1, jobs)).fill(0);
  for (const s of seconds) {
    let i = 0;
    for (let j = 1; j < slots.length; j++) if (slots[j] < slots[i]) i = j;
    slots[i] += s;
  }
  return Math.max(...slots);
}

/**
 * Rungs a budget may choose: every rung but the wiring test, smallest first.
 *
 * @example
 * ```ts
 * import { loadSuites } from "../suite/load.ts";
 * const [{ suite: dense }] = await loadSuites("dense");
 * budgetRungs(dense); // ["120k", "340k", ..., "paper"]
 * ```
 */
export function budgetRungs(suite: Suite): string[] {
  return Object.keys(suite.scales).filter((r) => r !== "smoke");
}

/** Options of {@linkcode fitBudget}. */
export interface FitOptions {
  /** Seconds left for training: read at each decision, so time spent probing counts against it. */
  budgetSeconds: () => number;
  jobs: number;
  /** Seeds replacing the suites' (no seed choice then). */
  seeds?: number[];
  /** Activations replacing the suites' (the headline is chosen only when they start with the suite's pair). */
  activations?: string[];
  resultsDir: string;
  code: CodeVersion;
  /** Estimated wall seconds of one run (0 for one already finished). */
  estimate: (run: PlannedRun) => Promise<number>;
  /** A lower bound on a run's seconds that needs no probe (null: unknown): rungs that surely do not fit are not probed. */
  lowerBound?: (run: PlannedRun) => Promise<number | null>;
  /** The statistics of the seed choice; without them the headline gets its minimum. */
  rule?: SeedRule | null;
  /** The pilot's paired SD of a suite's headline at a rung, when its pilot runs have finished. */
  pilot?: (loaded: LoadedSuite, rung: string, runs: PlannedRun[]) => Promise<PilotSd | null>;
  /** Rungs already decided per suite (a pilot trained there): kept instead of searched. */
  pinned?: ReadonlyMap<string, string>;
}

async function estimated(runs: PlannedRun[], estimate: FitOptions["estimate"]): Promise<EstimatedRun[]> {
  const out: EstimatedRun[] = [];
  for (const run of runs) out.push({ run, seconds: await estimate(run) });
  return out;
}

/** What one suite plans at one rung: the core for a seed count and the seeds it starts from. */
function suitePlanner(loaded: LoadedSuite, o: FitOptions) {
  const activations = o.activations ?? loaded.suite.activations;
  const pair = activations.slice(0, CORE_ACTIVATIONS);
  const h = headlineOf(loaded.suite);
  const headline = !o.seeds && h && h.pair.every((a, i) => pair[i] === a) ? h.headline : null;
  const base = (rung: string) => o.seeds ?? seedsAt(loaded.suite, rung);
  const floor = (rung: string) =>
    o.seeds ? o.seeds.length : Math.max(headline?.minSeeds ?? MIN_SEEDS, headline ? 0 : base(rung).length);
  const plan = async (rung: string, seeds: number[], acts: string[]) =>
    await estimated(
      await planSuite(loaded, { rungs: [rung], seeds, activations: acts }, o.resultsDir, o.code),
      o.estimate,
    );
  return {
    headline,
    pair,
    rest: activations.slice(CORE_ACTIVATIONS),
    seeds: (rung: string, n: number) => o.seeds ?? seedList(base(rung), n),
    floor,
    core: (rung: string, n: number) => plan(rung, o.seeds ?? seedList(base(rung), n), pair),
    /** The core with lower-bound seconds (0 where unknown), probing nothing. */
    bound: async (rung: string, n: number): Promise<EstimatedRun[]> => {
      const runs = await planSuite(
        loaded,
        { rungs: [rung], seeds: o.seeds ?? seedList(base(rung), n), activations: pair },
        o.resultsDir,
        o.code,
      );
      const out: EstimatedRun[] = [];
      for (const run of runs) out.push({ run, seconds: (await o.lowerBound?.(run)) ?? 0 });
      return out;
    },
    plan,
  };
}

/**
 * Chooses rungs and runs that fit the budget, in the suites' priority order.
 *
 * @example
 * ```ts
 * import { loadSuites } from "../suite/load.ts";
 * import { codeVersion } from "./code_version.ts";
 * import type { PlannedRun } from "./plan.ts";
 * const suites = await loadSuites("dense");
 * const code = await codeVersion();
 * // A machine training 100k tokens a second (the runner probes instead).
 * const estimate = (run: PlannedRun) => Promise.resolve(run.config.train.steps * run.config.train.tokensPerStep / 1e5);
 * const plan = await fitBudget(suites, { budgetSeconds: () => 1500, jobs: 2, resultsDir: "results", code, estimate });
 * ```
 */
export async function fitBudget(suites: LoadedSuite[], o: FitOptions): Promise<BudgetPlan> {
  const plan: BudgetPlan = { rungs: new Map(), runs: [], leftOut: [], seedChoices: new Map(), makespanSeconds: 0 };
  const fits = (runs: EstimatedRun[]) => makespan(runs.map((r) => r.seconds), o.jobs) <= o.budgetSeconds();
  // Suites in priority order: each takes the largest rung whose core fits what the ones before it left.
  const seedsOf = new Map<string, number[]>();
  for (const loaded of suites) {
    const p = suitePlanner(loaded, o);
    const pinned = o.pinned?.get(loaded.suite.name);
    let chosen: string | null = null;
    let smallest: EstimatedRun[] | null = null;
    for (const rung of pinned ? [pinned] : budgetRungs(loaded.suite)) {
      if (!pinned && smallest && !fits([...plan.runs, ...await p.bound(rung, p.floor(rung))])) break;
      const core = await p.core(rung, p.floor(rung));
      smallest ??= core;
      if (!pinned && !fits([...plan.runs, ...core])) break; // larger rungs cost more still
      chosen = rung;
    }
    plan.rungs.set(loaded.suite.name, chosen);
    if (!chosen) {
      plan.leftOut.push(...(smallest ?? []));
      continue;
    }
    let n = p.floor(chosen);
    if (p.headline) {
      const choice = await chooseHeadline(p, chosen, plan.runs, fits, o, loaded);
      plan.seedChoices.set(loaded.suite.name, choice);
      n = choice.chosen;
    }
    plan.runs.push(...await p.core(chosen, n));
    seedsOf.set(loaded.suite.name, p.seeds(chosen, n));
  }
  // The other activations, suite by suite, seed by seed, while they fit; an activation joins with two seeds.
  for (const loaded of suites) {
    const rung = plan.rungs.get(loaded.suite.name);
    const seeds = seedsOf.get(loaded.suite.name);
    const p = suitePlanner(loaded, o);
    if (!rung || !seeds || p.rest.length === 0) continue;
    const extra = await p.plan(rung, seeds, p.rest);
    for (const activation of p.rest) {
      const mine = extra.filter((r) => r.run.config.activation === activation);
      const first = mine.slice(0, Math.min(MIN_EXTRA_SEEDS, mine.length));
      if (!fits([...plan.runs, ...first])) {
        plan.leftOut.push(...mine);
        continue;
      }
      plan.runs.push(...first);
      for (const run of mine.slice(first.length)) {
        if (fits([...plan.runs, run])) plan.runs.push(run);
        else plan.leftOut.push(run);
      }
    }
  }
  // Cores first: when runs take longer than estimated, what is still unfinished is the least important.
  plan.makespanSeconds = makespan(plan.runs.map((r) => r.seconds), o.jobs);
  return plan;
}

/** The headline's seed choice at `rung`: the pilot's SD, capped by what fits beside the runs already planned. */
async function chooseHeadline(
  p: ReturnType<typeof suitePlanner>,
  rung: string,
  before: EstimatedRun[],
  fits: (runs: EstimatedRun[]) => boolean,
  o: FitOptions,
  loaded: LoadedSuite,
): Promise<SeedChoice> {
  const headline = p.headline!;
  let budgetCap = p.floor(rung);
  while (budgetCap < headline.maxSeeds && fits([...before, ...await p.core(rung, budgetCap + 1)])) budgetCap++;
  const pilotRuns = await p.core(rung, PILOT_SEEDS);
  const pilot = o.rule && o.pilot ? await o.pilot(loaded, rung, pilotRuns.map((r) => r.run)) : null;
  return { ...chooseSeeds(headline, pilot, budgetCap, o.rule ?? null), pair: [p.pair[0], p.pair[1]] };
}
