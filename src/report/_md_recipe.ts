/**
 * Markdown for the recipe sweep (shown only when sweep results exist): final validation loss per activation at
 * each learning-rate × init setting, each activation's chosen setting, and the headline comparison's robustness
 * to the recipe, with its verdict at every setting tried and at each activation's best.
 * @module
 */
import { displayName } from "../published/mod.ts";
import { measureSpec } from "../judge/measures.ts";
import type { ArmRecipe, RecipeSweep, RobustnessRow } from "../judge/recipe.ts";
import { type RecipeSetting, sameSetting, settingLabel } from "../results/recipe.ts";
import type { ReportData } from "./data.ts";
import { num, signed, table, withInterval } from "./_format.ts";

function cell(arm: ArmRecipe, s: RecipeSetting): string {
  const c = arm.cells.find((x) => sameSetting(x.setting, s));
  if (!c) return "—";
  const text = c.valLoss.n ? withInterval(c.valLoss) : "diverged";
  const extra = c.valLoss.n && c.diverged ? ` (+${c.diverged} diverged)` : "";
  const chosen = arm.choice && sameSetting(arm.choice.setting, s);
  return chosen ? `**${text}**${extra}` : `${text}${extra}`;
}

function chosenRows(sweep: RecipeSweep): unknown[][] {
  return sweep.arms.map((arm) => {
    if (!arm.choice) return [displayName(arm.activation), "not chosen yet (a setting lacks a result)", "—", "—"];
    const best = arm.choice.means.find((m) => sameSetting(m.setting, arm.choice!.setting))!;
    const there = arm.cells.find((c) => sameSetting(c.setting, arm.choice!.setting));
    return [
      displayName(arm.activation),
      settingLabel(arm.choice.setting),
      `${num(best.valLoss)} (seed${arm.choice.seeds.length > 1 ? "s" : ""} ${arm.choice.seeds.join(", ")})`,
      there?.seeds.length ?? 0,
    ];
  });
}

function robustnessRow(sweep: RecipeSweep, r: RobustnessRow): unknown[] {
  const h = sweep.headline!;
  const c = r.comparison;
  const where = r.kind === "best"
    ? `each at its best: ${displayName(h.activation)} ${settingLabel(r.activationSetting)}, ${displayName(h.versus)} ${
      settingLabel(r.versusSetting)
    }`
    : settingLabel(r.activationSetting);
  return [where, c.pairs.length, withInterval(c.interval, measureSpec(c.measure).digits, true), c.verdict];
}

/**
 * The recipe sweep section, with the sweep's charts (`charts`, their markdown); empty without sweep results.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * recipeSection(data, []);
 * ```
 */
export function recipeSection(data: ReportData, charts: string[]): string[] {
  const sweep = data.recipe;
  if (!sweep) return [];
  const lines = [
    "### Recipe sweep: the activation or the recipe?",
    "",
    `At the ${sweep.scale} rung each activation was trained at ${sweep.settings.length} settings of the suite's ` +
    "recipe: multipliers of the peak learning rate (the floor follows it) and of the init scale " +
    "(`initializer_range`), one pilot seed each. An activation's best setting is the one with the lowest final " +
    "validation loss over the seeds that every setting has (the rule the planner chose by); its seeds were then " +
    "trained there. Final validation loss (mean over sources; the chosen setting in bold, 95% interval where a " +
    "setting has several seeds):",
    "",
    table(
      ["activation", ...sweep.settings.map(settingLabel)],
      sweep.arms.map((arm) => [
        displayName(arm.activation),
        ...sweep.settings.map((s) => cell(arm, s)),
      ]),
    ),
    "",
    table(["activation", "chosen setting", "final validation loss there (pilot)", "seeds there"], chosenRows(sweep)),
    "",
    ...charts,
  ];
  const h = sweep.headline;
  if (!h || sweep.robustness.length === 0) {
    return [...lines, "The sweep has no paired seed of the headline comparison, so no robustness table.", ""];
  }
  const effect = sweep.robustness[0].comparison.effect;
  lines.push(
    `**Robustness of the headline.** ${displayName(h.activation)} − ${displayName(h.versus)} final training loss, ` +
      `paired by seed where both have the seed at their settings, read by the verdict rule against 0 and the paper's ` +
      `δ = ${effect === null ? "n/a" : signed(effect, 3)} nats. A verdict that changes across rows belongs to the ` +
      "recipe, not the activation; one seed is a point estimate (not judged).",
    "",
    table(
      ["setting", "paired seeds", "d: mean [95% CI]", "verdict"],
      sweep.robustness.map((r) => robustnessRow(sweep, r)),
    ),
    "",
  );
  return lines;
}
