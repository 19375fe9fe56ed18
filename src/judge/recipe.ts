/**
 * The recipe sweep, judged from result files: is a verdict the activation's, or the recipe's? Per activation, the
 * final validation loss at each learning-rate × init setting tried and the setting chosen by the rule the planner
 * chose with (results/recipe.ts); and a robustness table: the headline comparison (the experiment's training-loss gap
 * claim, PolyNorm against the baseline) paired by seed, with its verdict against the paper's δ, at every setting
 * tried and with each activation at its own best setting.
 * @module
 */
import {
  chooseSetting,
  finalValLoss,
  isSuiteRecipe,
  type LoadedRun,
  type RecipeSetting,
  sameSetting,
  type Scale,
  type SettingChoice,
  settingOf,
} from "../results/mod.ts";
import { claimsFor, type ClaimSpec, type ComparisonSpec } from "./claims.ts";
import { compare, type Comparison } from "./evaluate.ts";
import { type Interval, tInterval } from "./stats.ts";

/** One activation at one setting. */
export interface SettingCell {
  setting: RecipeSetting;
  /** Seeds with an ended run at this setting. */
  seeds: number[];
  /** Final validation loss over the finished seeds (diverged runs left out and counted). */
  valLoss: Interval;
  diverged: number;
}

/** One activation across the sweep. */
export interface ArmRecipe {
  activation: string;
  cells: SettingCell[];
  /** Its best setting, once every setting it tried has a result at a common seed. */
  choice: SettingChoice | null;
}

/** One row of the robustness table: the headline comparison with each activation at a given setting. */
export interface RobustnessRow {
  /** `setting`: both at the same setting tried; `best`: each activation at its own best setting. */
  kind: "setting" | "best";
  activationSetting: RecipeSetting;
  versusSetting: RecipeSetting;
  /** The paired comparison of final training loss, its verdict read against the paper's δ. */
  comparison: Comparison;
}

/** What the sweep shows at one rung. */
export interface RecipeSweep {
  scale: Scale;
  /** Every setting tried, learning rate first. */
  settings: RecipeSetting[];
  /** The multipliers tried per knob. */
  knobs: { lr: number[]; init: number[] };
  arms: ArmRecipe[];
  /** The headline comparison (activation − versus), or null when the sweep lacks either activation. */
  headline: ComparisonSpec | null;
  robustness: RobustnessRow[];
}

/** Finished and diverged runs at the rung, one per activation × seed × setting (the newest, finished first). */
function endedRuns(runs: readonly LoadedRun[], scale: Scale): LoadedRun[] {
  const rank = (r: LoadedRun) => (r.record.status === "finished" ? 0 : 1);
  const byKey = new Map<string, LoadedRun>();
  const ended = runs.filter((r) => r.record.scale === scale && ["finished", "diverged"].includes(r.record.status));
  for (const run of ended) {
    const s = settingOf(run.record);
    const key = `${run.record.activation}/${run.record.seed}/${s.lr}/${s.init}`;
    const held = byKey.get(key);
    const newer = held && run.record.timings.updatedAt > held.record.timings.updatedAt;
    if (!held || rank(run) < rank(held) || (rank(run) === rank(held) && newer)) byKey.set(key, run);
  }
  return [...byKey.values()];
}

function armOf(activation: string, runs: LoadedRun[], settings: RecipeSetting[]): ArmRecipe {
  const mine = runs.filter((r) => r.record.activation === activation);
  const at = (s: RecipeSetting) => mine.filter((r) => sameSetting(settingOf(r.record), s));
  const tried = settings.filter((s) => at(s).length > 0);
  const cells = tried.map((setting) => {
    const here = at(setting);
    const finished = here.filter((r) => r.record.status === "finished").map((r) => finalValLoss(r.evals));
    return {
      setting,
      seeds: here.map((r) => r.record.seed).sort((a, b) => a - b),
      valLoss: tInterval(finished.filter(Number.isFinite)),
      diverged: here.length - finished.filter(Number.isFinite).length,
    };
  });
  const results = mine.map((r) => {
    const loss = r.record.status === "finished" ? finalValLoss(r.evals) : Infinity;
    return { setting: settingOf(r.record), seed: r.record.seed, valLoss: Number.isNaN(loss) ? Infinity : loss };
  });
  return { activation, cells, choice: chooseSetting(tried, results) };
}

/** The experiment's training-loss gap claim and its first comparison whose two activations the sweep has. */
function headlineOf(experiment: string, activations: string[]): { claim: ClaimSpec; spec: ComparisonSpec } | null {
  for (const claim of claimsFor(experiment)) {
    if (claim.measure !== "trainLoss" || !("comparisons" in claim.test)) continue;
    const spec = claim.test.comparisons.find((c) =>
      activations.includes(c.activation) && activations.includes(c.versus)
    );
    if (spec) return { claim, spec };
  }
  return null;
}

/**
 * The recipe sweep at a rung, from result files; null when no run there was trained at a setting other than the
 * suite's own recipe.
 *
 * @example
 * ```ts
 * import { loadRuns } from "../results/mod.ts";
 * const sweep = recipeSweep(await loadRuns("results", "dense"), "120k");
 * sweep?.arms.map((a) => [a.activation, a.choice?.setting]);
 * ```
 */
export function recipeSweep(runs: readonly LoadedRun[], scale: Scale): RecipeSweep | null {
  const ended = endedRuns(runs, scale);
  if (!ended.some((r) => !isSuiteRecipe(settingOf(r.record)))) return null;
  const settings: RecipeSetting[] = [];
  for (const run of ended) {
    const s = settingOf(run.record);
    if (!settings.some((t) => sameSetting(t, s))) settings.push(s);
  }
  settings.sort((a, b) => a.lr - b.lr || a.init - b.init);
  const activations = [...new Set(ended.map((r) => r.record.activation))];
  const arms = activations.map((a) => armOf(a, ended, settings));
  const head = headlineOf(ended[0].record.experiment, activations);
  const knob = (k: keyof RecipeSetting) => [...new Set(settings.map((s) => s[k]))].sort((a, b) => a - b);
  return {
    scale,
    settings,
    knobs: { lr: knob("lr"), init: knob("init") },
    arms,
    headline: head?.spec ?? null,
    robustness: head ? robustness(ended, arms, settings, head) : [],
  };
}

function robustness(
  runs: LoadedRun[],
  arms: ArmRecipe[],
  settings: RecipeSetting[],
  head: { claim: ClaimSpec; spec: ComparisonSpec },
): RobustnessRow[] {
  const { claim, spec } = head;
  const finished = runs.filter((r) => r.record.status === "finished");
  const at = (activation: string, s: RecipeSetting) =>
    finished.filter((r) => r.record.activation === activation && sameSetting(settingOf(r.record), s));
  const row = (kind: RobustnessRow["kind"], a: RecipeSetting, v: RecipeSetting): RobustnessRow => ({
    kind,
    activationSetting: a,
    versusSetting: v,
    comparison: compare([...at(spec.activation, a), ...at(spec.versus, v)], spec, "trainLoss", undefined, claim),
  });
  const rows = settings.map((s) => row("setting", s, s)).filter((r) => r.comparison.pairs.length > 0);
  const best = (activation: string) => arms.find((a) => a.activation === activation)?.choice?.setting;
  const [a, v] = [best(spec.activation), best(spec.versus)];
  if (a && v) rows.push(row("best", a, v));
  return rows;
}
