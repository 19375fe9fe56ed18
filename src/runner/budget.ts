/**
 * Fitting a plan into a time budget, in priority order: per suite (the
 * first suite first), the largest rung whose core comparison (the first two
 * activations, the headline claim, × at least three seeds) fits in what is
 * left; then the other activations, suite by suite, while they fit. What does not fit is
 * listed, so the report can say what a longer budget adds.
 * @module
 */
import type { LoadedSuite } from "../suite/load.ts";
import type { Suite } from "../suite/schema.ts";
import type { CodeVersion } from "../results/schema.ts";
import { type PlannedRun, planSuite, seedsAt } from "./plan.ts";

/** Seeds every budget plan has at least (paired comparisons need a spread). */
export const MIN_SEEDS = 3;
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
  seeds?: number[];
  resultsDir: string;
  code: CodeVersion;
  /** Estimated wall seconds of one run. */
  estimate: (run: PlannedRun) => Promise<number>;
}

function seedsFor(suite: Suite, rung: string, seeds?: number[]): number[] {
  const base = seeds ?? seedsAt(suite, rung);
  if (base.length >= MIN_SEEDS || seeds) return base;
  const out = [...base];
  for (let s = 0; out.length < MIN_SEEDS; s++) if (!out.includes(s)) out.push(s);
  return out;
}

async function estimated(runs: PlannedRun[], estimate: FitOptions["estimate"]): Promise<EstimatedRun[]> {
  const out: EstimatedRun[] = [];
  for (const run of runs) out.push({ run, seconds: await estimate(run) });
  return out;
}

/**
 * Chooses rungs and runs that fit the budget, in the suites' priority order.
 *
 * @example
 * ```ts
 * const plan = await fitBudget(suites, { budgetSeconds: () => 1500, jobs: 2, resultsDir: "results", code, estimate });
 * ```
 */
export async function fitBudget(suites: LoadedSuite[], o: FitOptions): Promise<BudgetPlan> {
  const plan: BudgetPlan = { rungs: new Map(), runs: [], leftOut: [], makespanSeconds: 0 };
  const fits = (runs: EstimatedRun[]) => makespan(runs.map((r) => r.seconds), o.jobs) <= o.budgetSeconds();
  const coreOf = async (loaded: LoadedSuite, rung: string) =>
    await estimated(
      await planSuite(
        loaded,
        {
          rungs: [rung],
          seeds: seedsFor(loaded.suite, rung, o.seeds),
          activations: loaded.suite.activations.slice(0, CORE_ACTIVATIONS),
        },
        o.resultsDir,
        o.code,
      ),
      o.estimate,
    );
  // Suites in priority order: each takes the largest rung whose core fits what the ones before it left.
  const cores: EstimatedRun[] = [];
  for (const loaded of suites) {
    let chosen: { rung: string; core: EstimatedRun[] } | null = null;
    let smallest: EstimatedRun[] | null = null;
    for (const rung of budgetRungs(loaded.suite)) {
      const core = await coreOf(loaded, rung);
      smallest ??= core;
      if (!fits([...cores, ...core])) break; // larger rungs cost more still
      chosen = { rung, core };
    }
    plan.rungs.set(loaded.suite.name, chosen?.rung ?? null);
    if (chosen) cores.push(...chosen.core);
    else plan.leftOut.push(...(smallest ?? []));
  }
  plan.runs.push(...cores);
  // The other activations, suite by suite, seed by seed, while they fit.
  for (const loaded of suites) {
    const rung = plan.rungs.get(loaded.suite.name);
    if (!rung) continue;
    const rest = loaded.suite.activations.slice(CORE_ACTIVATIONS);
    if (rest.length === 0) continue;
    const extra = await estimated(
      await planSuite(
        loaded,
        { rungs: [rung], seeds: seedsFor(loaded.suite, rung, o.seeds), activations: rest },
        o.resultsDir,
        o.code,
      ),
      o.estimate,
    );
    for (const run of extra) {
      if (fits([...plan.runs, run])) plan.runs.push(run);
      else plan.leftOut.push(run);
    }
  }
  // Cores first: when runs take longer than estimated, what is still unfinished is the least important.
  plan.makespanSeconds = makespan(plan.runs.map((r) => r.seconds), o.jobs);
  return plan;
}
