/**
 * The plan's seed advice: when finished results of a planned suite and rung
 * already exist, how many paired seeds each comparison would need to detect
 * the paper's effect at the spread those results showed.
 * Printed beside the plan only; the suite's seeds are never changed. It lives
 * in the CLI, not the runner, so the runner (whose code is hashed into run
 * ids) never loads the judge.
 * @module
 */
import { MAX_SEEDS, POWER_TARGET, proposeSeeds } from "../../judge/mod.ts";
import { type LoadedRun, loadRuns } from "../../results/mod.ts";
import type { PlannedRun } from "../../runner/plan.ts";

/** What the advice needs from the plan: the runs it will train. */
export interface PlannedGroup {
  suite: string;
  scale: string;
  activations: Set<string>;
  seeds: Set<number>;
}

function groupsOf(plan: readonly PlannedRun[]): PlannedGroup[] {
  const groups = new Map<string, PlannedGroup>();
  for (const { config: c } of plan) {
    const key = `${c.suite}\u0000${c.scale}`;
    const g = groups.get(key) ?? { suite: c.suite, scale: c.scale, activations: new Set(), seeds: new Set() };
    g.activations.add(c.activation);
    g.seeds.add(c.seed);
    groups.set(key, g);
  }
  return [...groups.values()];
}

function seedsText(seeds: number): string {
  return Number.isFinite(seeds) ? `${seeds} seeds` : `more than ${MAX_SEEDS.toLocaleString("en-US")} seeds`;
}

/**
 * Lines of seed advice for the planned runs from earlier finished runs (`runs`), one header per suite and rung
 * that has earlier results and one line per comparison between two planned activations; empty when none.
 *
 * @example
 * ```ts
 * import { loadRuns } from "../../results/mod.ts";
 * import type { PlannedRun } from "../../runner/plan.ts";
 * declare const planned: PlannedRun[];
 * for (const line of seedAdvice(planned, await loadRuns("results"))) console.log(line);
 * ```
 */
export function seedAdvice(plan: readonly PlannedRun[], runs: readonly LoadedRun[]): string[] {
  const lines: string[] = [];
  for (const g of groupsOf(plan)) {
    const earlier = runs.filter((r) =>
      r.record.suite === g.suite && r.record.scale === g.scale && r.record.status === "finished"
    );
    const planned = (key: string) => {
      const [pair] = key.split("@");
      const [a, b] = pair.split("-vs-");
      return g.activations.has(a) && g.activations.has(b);
    };
    const proposals = proposeSeeds(earlier).filter((p) => planned(p.comparison));
    if (proposals.length === 0) continue;
    lines.push(
      `seeds from earlier results of ${g.suite} at '${g.scale}' (${POWER_TARGET * 100}% power for the paper's ` +
        `effect at the observed paired SD; the plan keeps its ${g.seeds.size} seed${g.seeds.size > 1 ? "s" : ""}):`,
    );
    for (const p of proposals) {
      lines.push(
        `  ${p.claim} ${p.comparison}: ${seedsText(p.seeds)} (paired SD ${p.sd.toPrecision(3)} over ${p.n} seeds, ` +
          `paper effect ${Number(p.paperEffect.toPrecision(3))})`,
      );
    }
  }
  return lines;
}

/**
 * {@linkcode seedAdvice} from a results folder; a folder that does not exist or does not read gives no advice
 * (a note says why when it exists but does not read: the plan must still print).
 *
 * @example
 * ```ts
 * import type { PlannedRun } from "../../runner/plan.ts";
 * declare const planned: PlannedRun[];
 * for (const line of await seedAdviceFrom("results", planned)) console.log(line);
 * ```
 */
export async function seedAdviceFrom(resultsDir: string, plan: readonly PlannedRun[]): Promise<string[]> {
  const runs: LoadedRun[] = [];
  try {
    for (const suite of new Set(plan.map((r) => r.config.suite))) runs.push(...await loadRuns(resultsDir, suite));
  } catch (error) {
    if (error instanceof Error && /does not exist/.test(error.message)) return [];
    return [`no seed advice: earlier results do not read (${error instanceof Error ? error.message : error})`];
  }
  return seedAdvice(plan, runs);
}
