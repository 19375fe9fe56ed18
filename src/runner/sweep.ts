/**
 * The recipe sweep's part of a plan, asked for by a suite (`lrSweep`, `initSweep`) or by `reproduce --lr-sweep` /
 * `--init-sweep`: at each rung of the plan, one pilot seed (the arm's first) per arm per setting of the grid of
 * learning-rate × init multipliers; once an arm's pilots have all ended, its best setting by final validation loss
 * (the rule of results/recipe.ts, which the judge reports with) and the arm's planned seeds, at least two, there.
 * Until the pilots end those seeds are counted, not planned (their run ids depend on the choice), so a plan made
 * before them estimates the most they can cost: the best setting may turn out to be the suite's own, whose seeds the
 * plan already has.
 * @module
 */
import { join } from "node:path";
import type { CodeVersion } from "../results/schema.ts";
import { EvalRow } from "../results/schema.ts";
import { readJsonl, readRunRecord, RUN_FILES } from "../results/io.ts";
import {
  chooseSetting,
  finalValLoss,
  type RecipeSetting,
  type SettingChoice,
  type SettingResult,
  sweepGrid,
} from "../results/recipe.ts";
import type { LoadedSuite } from "../suite/load.ts";
import type { Suite } from "../suite/schema.ts";
import { type PlannedRun, planSuite } from "./plan.ts";
import { seedList } from "./seed_choice.ts";

/** Multipliers asked for on the command line (each replaces the suite's list of that knob). */
export interface SweepRequest {
  lr?: number[];
  init?: number[];
}

/** Seeds each arm gets at its best setting at least: a paired comparison needs a spread. */
export const MIN_SWEEP_SEEDS = 2;

/** One arm (activation) of the sweep at one rung. */
export interface ArmSweep {
  suite: string;
  rung: string;
  activation: string;
  settings: RecipeSetting[];
  /** One run per setting, at the arm's first seed. */
  pilots: PlannedRun[];
  /** The best setting, once every pilot has ended. */
  choice: SettingChoice | null;
  /** The seeds the arm runs at its best setting. */
  seeds: number[];
  /** Those runs, once chosen. */
  followUps: PlannedRun[];
  /** Runs still to plan at the best setting while the pilots are unfinished (at most; none once chosen). */
  pending: number;
}

/** The sweep of a plan. */
export interface SweepPlan {
  arms: ArmSweep[];
  /** Its runs that the plan without it lacks, pilots first. */
  runs: PlannedRun[];
  /** Estimated seconds of each pending run (for the plan's expected wall time); empty without estimates. */
  pendingSeconds: number[];
  /** Set when a time budget did not fit the whole sweep: nothing of it runs. */
  leftOut?: boolean;
}

/**
 * The settings a suite sweeps: the flags' multipliers, else the suite's, as a grid; null when neither asks.
 *
 * @example
 * ```ts
 * import type { Suite } from "../suite/schema.ts";
 * declare const dense: Suite;
 * sweepSettings(dense, { lr: [0.5, 1, 2] })?.length; // 3 (init stays ×1 unless the suite sweeps it)
 * ```
 */
export function sweepSettings(suite: Suite, request: SweepRequest): RecipeSetting[] | null {
  const lr = request.lr ?? suite.lrSweep;
  const init = request.init ?? suite.initSweep;
  return lr || init ? sweepGrid(lr, init) : null;
}

/** An ended run's final validation loss (Infinity when it diverged); NaN while it has not ended. */
async function endedValLoss(run: PlannedRun): Promise<number> {
  const status = (await readRunRecord(run.dir))?.status;
  if (status === "diverged") return Infinity;
  if (status !== "finished") return NaN;
  const loss = finalValLoss(await readJsonl(join(run.dir, RUN_FILES.evals), EvalRow));
  return Number.isNaN(loss) ? Infinity : loss;
}

/** Options of {@linkcode planSweep}. */
export interface SweepOptions {
  request: SweepRequest;
  resultsDir: string;
  code: CodeVersion;
  /** A run's estimated seconds, when the plan is estimated. */
  estimate?: (run: PlannedRun) => Promise<number>;
}

/**
 * The sweep of a plan: per suite that asks for one, per rung and activation of `base` (the plan's runs), its pilots,
 * its choice when they have ended, and its runs at the chosen setting. Null when no suite asks for a sweep.
 *
 * @example
 * ```ts
 * import type { LoadedSuite } from "../suite/load.ts";
 * import type { PlannedRun } from "./plan.ts";
 * import type { CodeVersion } from "../results/schema.ts";
 * declare const suites: LoadedSuite[], runs: PlannedRun[], code: CodeVersion;
 * const sweep = await planSweep(suites, runs, { request: { lr: [0.5, 1, 2] }, resultsDir: "results", code });
 * ```
 */
export async function planSweep(
  suites: LoadedSuite[],
  base: readonly PlannedRun[],
  o: SweepOptions,
): Promise<SweepPlan | null> {
  const arms: ArmSweep[] = [];
  for (const loaded of suites) {
    const settings = sweepSettings(loaded.suite, o.request);
    if (!settings) continue;
    const mine = base.filter((r) => r.config.suite === loaded.suite.name);
    for (const rung of new Set(mine.map((r) => r.config.scale))) {
      for (const activation of new Set(mine.filter((r) => r.config.scale === rung).map((r) => r.config.activation))) {
        const planned = mine.filter((r) => r.config.scale === rung && r.config.activation === activation);
        const own = [...new Set(planned.map((r) => r.config.seed))];
        const seeds = seedList(own, Math.max(MIN_SWEEP_SEEDS, own.length));
        arms.push(await armSweep(loaded, { rung, activation, seeds, settings }, o));
      }
    }
  }
  if (arms.length === 0) return null;
  const have = new Set(base.map((r) => r.runId));
  const runs: PlannedRun[] = [];
  for (const run of [...arms.flatMap((a) => a.pilots), ...arms.flatMap((a) => a.followUps)]) {
    if (!have.has(run.runId)) runs.push(run);
    have.add(run.runId);
  }
  const pendingSeconds: number[] = [];
  for (const arm of arms) {
    const each = arm.pending && o.estimate ? await o.estimate(arm.pilots[0]) : null;
    if (each !== null) pendingSeconds.push(...new Array(arm.pending).fill(each));
  }
  if (o.estimate) { for (const run of runs) run.estimatedSeconds ??= await o.estimate(run); }
  return { arms, runs, pendingSeconds };
}

async function armSweep(
  loaded: LoadedSuite,
  a: { rung: string; activation: string; seeds: number[]; settings: RecipeSetting[] },
  o: SweepOptions,
): Promise<ArmSweep> {
  const plan = (seeds: number[], setting: RecipeSetting) =>
    planSuite(loaded, { rungs: [a.rung], seeds, activations: [a.activation], setting }, o.resultsDir, o.code);
  const pilots: PlannedRun[] = [];
  const results: SettingResult[] = [];
  for (const setting of a.settings) {
    const [run] = await plan([a.seeds[0]], setting);
    pilots.push(run);
    results.push({ setting, seed: run.config.seed, valLoss: await endedValLoss(run) });
  }
  const choice = chooseSetting(a.settings, results);
  return {
    suite: loaded.suite.name,
    rung: a.rung,
    activation: a.activation,
    settings: a.settings,
    pilots,
    choice,
    seeds: a.seeds,
    followUps: choice ? await plan(a.seeds, choice.setting) : [],
    pending: choice ? 0 : a.seeds.length - 1,
  };
}
