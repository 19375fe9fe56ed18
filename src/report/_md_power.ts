/**
 * Markdown for statistical power: per comparison, the minimum detectable
 * effect at the seeds it had and the seeds the paper's effect would need,
 * with the reading of an inconclusive verdict; and each activation's
 * seed-to-seed spread.
 * @module
 */
import { displayName } from "../published/mod.ts";
import type { Comparison } from "../judge/evaluate.ts";
import { MEASURES, measureSpec } from "../judge/measures.ts";
import { MAX_SEEDS, POWER_LEVEL, POWER_TARGET } from "../judge/power.ts";
import type { ReportData } from "./data.ts";
import { code, num, table } from "./_format.ts";

const pct = (v: number) => `${Math.round(v * 100)}%`;

/** A size in d's units as the report prints it: speed-ups as a factor (×), differences as a magnitude. */
function sizeText(c: Comparison, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "n/a";
  const { digits, unit, pairing } = measureSpec(c.measure);
  return pairing === "speedup" ? `${num(Math.exp(Math.abs(v)), digits)}${unit}` : num(Math.abs(v), digits);
}

function seedsText(seeds: number | null): string {
  if (seeds === null || Number.isNaN(seeds)) return "n/a";
  return Number.isFinite(seeds) ? String(seeds) : `> ${MAX_SEEDS}`;
}

/**
 * What a comparison's interval and power say, in the verdict's own words: where the interval lies against 0 and the
 * paper's effect, and for an inconclusive comparison the seeds that would decide it.
 *
 * @example
 * ```ts
 * import type { Comparison } from "../judge/evaluate.ts";
 * declare const comparison: Comparison;
 * powerReading(comparison);
 * // "inconclusive: the interval holds 0 and the paper's 0.0190; about 7 paired seeds would decide it (80% power ...)"
 * ```
 */
export function powerReading(c: Comparison): string {
  const p = c.power;
  // 0 of d is "no effect": a speed-up of 1x.
  const zero = measureSpec(c.measure).pairing === "speedup" ? "1x" : "0";
  const paper = p.paperEffect === null ? "" : `the paper's ${sizeText(c, p.paperEffect)}`;
  const reach = p.bound > 0
    ? `effects larger than ${sizeText(c, p.bound)} in the paper's direction are ruled out at this size`
    : "";
  switch (c.verdict) {
    case "reproduced":
      return c.effect === null
        ? `reproduced: the interval lies wholly on the paper's side of ${zero}`
        : `reproduced: the interval lies on the paper's side of ${zero} and reaches ${paper}`;
    case "reproduced, smaller":
      return `reproduced, smaller: an effect in the paper's direction, and ${reach}, ${paper} among them`;
    case "smaller than published":
      return `smaller than published: ${reach}, ${paper} among them; the interval still holds ${zero}`;
    case "contradicted":
      return `contradicted: the interval lies wholly on the other side of ${zero}`;
    case "inconclusive": {
      const holds = c.effect === null ? `the interval holds ${zero}` : `the interval holds ${zero} and ${paper}`;
      const bound = c.effect === null && reach ? `; ${reach}` : "";
      const d = p.decide;
      const seeds = !d
        ? ""
        : `; about ${seedsText(d.seeds)} paired seeds would decide it (${pct(POWER_TARGET)} power for ${
          d.basis === "paper" ? paper : "a true effect the size of the observed mean"
        } at this SD)`;
      return `inconclusive: ${holds}${bound}${seeds}`;
    }
    case "not judged":
      return "not judged: one paired seed is a point estimate, with no spread and no power to state";
    case "untestable at this size":
      return "untestable at this size: no task scores above chance";
    case "untested":
      return "untested: no paired seed";
  }
}

/**
 * The power table of one claim's comparisons.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * powerTable(data.claims[0].comparisons, (c) => `${c.activation} vs ${c.versus}`);
 * ```
 */
export function powerTable(comparisons: readonly Comparison[], name: (c: Comparison) => string): string {
  return table(
    [
      "comparison",
      "n",
      "paired SD of d",
      `MDE (${pct(POWER_TARGET)} power)`,
      "paper's effect",
      "seeds for it",
      "reading",
    ],
    comparisons.map((c) => [
      name(c),
      c.power.n,
      num(c.power.sd, measureSpec(c.measure).digits + 1),
      sizeText(c, c.power.mde),
      sizeText(c, c.power.paperEffect),
      seedsText(c.power.seedsForPaper),
      powerReading(c),
    ]),
  );
}

/**
 * How the power numbers are computed, in one paragraph.
 *
 * @example
 * ```ts
 * POWER_METHOD.includes("noncentral");
 * ```
 */
export const POWER_METHOD =
  `Power: MDE is the smallest mean paired difference the seeds a comparison had would detect with ${
    pct(POWER_TARGET)
  } power under the verdict rule (its ${
    pct(POWER_LEVEL)
  } interval wholly on the paper's side of 0), from the observed paired SD, using the noncentral t distribution ` +
  `with n − 1 degrees of freedom (src/judge/power.ts). "Seeds for it" is the fewest paired seeds that detect the ` +
  `paper's effect with ${pct(POWER_TARGET)} power at the same SD (speed-ups: on ln speed-up, shown as ×). ` +
  "Both are estimates: the SD itself comes from few seeds.";

/**
 * The power summary of all claims: one row per comparison.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * powerSummary(data);
 * ```
 */
export function powerSummary(data: ReportData): string {
  const rows = data.claims.flatMap((r, i) =>
    r.comparisons.map((c) => [
      `C${i + 1}`,
      `${displayName(c.activation)} vs ${displayName(c.versus)}${
        c.source !== undefined ? ` on ${code(c.source)}` : ""
      }`,
      c.power.n,
      sizeText(c, c.power.mde),
      sizeText(c, c.power.paperEffect),
      seedsText(c.power.seedsForPaper),
      powerReading(c),
    ])
  );
  if (rows.length === 0) return "";
  return [
    "**Power.** What the seeds could detect, per comparison. " + POWER_METHOD,
    "",
    table(
      ["#", "comparison", "n", `MDE (${pct(POWER_TARGET)} power)`, "paper's effect", "seeds for it", "reading"],
      rows,
    ),
  ].join("\n");
}

/**
 * Each activation's seed-to-seed spread (sample SD across its finished seeds), so an erratic activation shows.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * spreadTable(data);
 * ```
 */
export function spreadTable(data: ReportData): string {
  const rows = data.stats.map((s) => [
    displayName(s.activation),
    s.seeds.length,
    num(s.trainLoss.sd, MEASURES.trainLoss.digits + 1),
    num(s.valLoss.sd, MEASURES.valLoss.digits + 1),
    ...(data.tasks.length ? [num(s.taskAcc.sd, MEASURES.taskAcc.digits + 1)] : []),
  ]);
  return [
    "Seed-to-seed spread: the sample standard deviation of each activation's final values across its seeds " +
    "(n/a below two seeds). Paired comparisons remove the part shared by a seed's runs; this is the spread before pairing.",
    "",
    table([
      "activation",
      "seeds",
      "SD final train loss",
      "SD val loss",
      ...(data.tasks.length ? ["SD accuracy"] : []),
    ], rows),
  ].join("\n");
}
