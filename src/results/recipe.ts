/**
 * Recipe settings of a recipe sweep: the multipliers a run applied to its suite's learning rate (peak, and the floor
 * through its fraction) and init scale (`initializer_range`), as its resolved config records them under `recipe`
 * (absent: the suite's own recipe, ×1 and ×1, so those runs keep the suite's run ids), and the one rule that picks an
 * activation's best setting from its results. The planner picks with it before training the seeds at the best
 * setting, and the judge reports with it afterwards, so both always name the same setting.
 * @module
 */
import type { EvalRow, RunRecord } from "./schema.ts";
import { finalEval } from "./summary.ts";

/** Multipliers of the suite's learning rate and init scale. */
export interface RecipeSetting {
  lr: number;
  init: number;
}

/** The suite's own recipe. */
export const SUITE_RECIPE: Readonly<RecipeSetting> = { lr: 1, init: 1 };

/**
 * Whether a setting is the suite's own recipe.
 *
 * @example
 * ```ts
 * isSuiteRecipe({ lr: 1, init: 1 }); // true
 * ```
 */
export function isSuiteRecipe(s: RecipeSetting): boolean {
  return s.lr === 1 && s.init === 1;
}

/**
 * A setting in words, for tables and notices.
 *
 * @example
 * ```ts
 * settingLabel({ lr: 0.5, init: 1 }); // "lr ×0.5, init ×1"
 * ```
 */
export function settingLabel(s: RecipeSetting): string {
  return `lr ×${s.lr}, init ×${s.init}`;
}

/**
 * Whether two settings are the same.
 *
 * @example
 * ```ts
 * sameSetting({ lr: 2, init: 1 }, { lr: 2, init: 1 }); // true
 * ```
 */
export function sameSetting(a: RecipeSetting, b: RecipeSetting): boolean {
  return a.lr === b.lr && a.init === b.init;
}

/**
 * The setting a run was trained at, from its record's resolved config.
 *
 * @example
 * ```ts
 * import type { RunRecord } from "./schema.ts";
 * declare const record: RunRecord;
 * settingOf(record); // { lr: 1, init: 1 } for a run of the suite's recipe
 * ```
 */
export function settingOf(record: Pick<RunRecord, "config">): RecipeSetting {
  const recipe = record.config.recipe as Partial<RecipeSetting> | undefined;
  return { lr: recipe?.lr ?? 1, init: recipe?.init ?? 1 };
}

/**
 * Every setting of a sweep: the grid of learning-rate × init multipliers, learning rate first. A knob that is not
 * swept stays at ×1.
 *
 * @example
 * ```ts
 * sweepGrid([0.5, 1], [0.35, 1]); // [{ lr: 0.5, init: 0.35 }, { lr: 0.5, init: 1 }, { lr: 1, init: 0.35 }, ...]
 * ```
 */
export function sweepGrid(lr: readonly number[] = [1], init: readonly number[] = [1]): RecipeSetting[] {
  return lr.flatMap((l) => init.map((i) => ({ lr: l, init: i })));
}

/**
 * Final validation loss of a run: the mean over sources at its last evaluation; NaN without one.
 *
 * @example
 * ```ts
 * finalValLoss([]); // NaN
 * ```
 */
export function finalValLoss(evals: readonly EvalRow[]): number {
  const losses = Object.values(finalEval(evals)?.sources ?? {}).map((s) => s.loss);
  return losses.length ? losses.reduce((a, b) => a + b, 0) / losses.length : NaN;
}

/** One ended run of an activation at a setting: its final validation loss (Infinity when it diverged). */
export interface SettingResult {
  setting: RecipeSetting;
  seed: number;
  valLoss: number;
}

/** The chosen setting of one activation, and what it was chosen from. */
export interface SettingChoice {
  setting: RecipeSetting;
  /** The seeds every setting has a result for: the choice compares their mean final validation loss. */
  seeds: number[];
  /** Per setting tried (in the sweep's order): that mean. */
  means: Array<{ setting: RecipeSetting; valLoss: number }>;
}

/**
 * The rule: an activation's best setting is the one with the lowest final validation loss, averaged over the seeds
 * that every setting of the sweep has a result for (the pilot seed, at first); a diverged run counts as Infinity; a tie
 * goes to the setting listed first. Null until every setting has a result at a common seed.
 *
 * @example
 * ```ts
 * chooseSetting([{ lr: 1, init: 1 }, { lr: 2, init: 1 }], [
 *   { setting: { lr: 1, init: 1 }, seed: 0, valLoss: 2.5 },
 *   { setting: { lr: 2, init: 1 }, seed: 0, valLoss: 2.4 },
 * ])?.setting; // { lr: 2, init: 1 }
 * ```
 */
export function chooseSetting(
  settings: readonly RecipeSetting[],
  results: readonly SettingResult[],
): SettingChoice | null {
  const at = (s: RecipeSetting) => results.filter((r) => sameSetting(r.setting, s) && !Number.isNaN(r.valLoss));
  const seedSets = settings.map((s) => new Set(at(s).map((r) => r.seed)));
  const seeds = [...(seedSets[0] ?? [])].filter((seed) => seedSets.every((set) => set.has(seed))).sort((a, b) => a - b);
  if (settings.length === 0 || seeds.length === 0) return null;
  const means = settings.map((setting) => {
    const losses = at(setting).filter((r) => seeds.includes(r.seed)).map((r) => r.valLoss);
    return { setting, valLoss: losses.reduce((a, b) => a + b, 0) / losses.length };
  });
  const best = means.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
  return { setting: best.setting, seeds, means };
}
