/**
 * Markdown for the report's opening: the verdicts counted by category, for
 * claims and for every comparison, at the rung and seed count they belong
 * to; and how the planner chose the seed count, when its plan says.
 * @module
 */
import { countVerdicts } from "../judge/verdict.ts";
import type { ReportData } from "./data.ts";
import { count, num, tokens } from "./_format.ts";

/** "2 reproduced; 1 reproduced, smaller; 0 …": semicolons, since one verdict holds a comma. */
function counted(verdicts: Parameters<typeof countVerdicts>[0]): string {
  return countVerdicts(verdicts).map(([v, n]) => `${n} ${v}`).join("; ");
}

/**
 * The summary paragraph: every verdict category counted over claims (each by its word) and over comparisons, with
 * the rung, its size and the paired seeds the verdicts hold at.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * verdictSummary(data); // "**Summary.** 8 claim(s) of this experiment at the 860k rung ..."
 * ```
 */
export function verdictSummary(data: ReportData): string {
  const s = data.selection;
  const comparisons = data.claims.flatMap((r) => r.comparisons);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const size = s.usable.length
    ? ` (${count(mean(s.usable.map((r) => r.record.counts.total)))} parameters, ${
      tokens(mean(s.usable.map((r) => r.record.progress.totalTokens)))
    } tokens a run)`
    : "";
  const paired = comparisons.map((c) => c.pairs.length);
  const [fewest, most] = [Math.min(...paired), Math.max(...paired)];
  return `**Summary.** ${data.claims.length} claim(s) of this experiment at the **${s.scale}** rung${size}, ` +
    `${
      paired.length === 0 ? "no comparison" : fewest === most ? `${most}` : `${fewest}–${most}`
    } paired seed(s) a comparison. ` +
    `Claims, each by its headline comparison's verdict (a ranking or an every-source claim by all its pairs): ${
      counted(data.claims.map((r) => r.verdict))
    }. All ${comparisons.length} comparisons: ${counted(comparisons.map((c) => c.verdict))}. ` +
    "Verdicts read paired 95% intervals across seeds against 0 and, where the paper gives one, against its effect " +
    "(rule in section 2.5); they hold at this size and seed count, and neither confirm nor refute the paper's 1B " +
    "result at its own size." +
    (s.scale === "smoke" ? " This is a smoke-scale run: it tests the pipeline, not the paper." : "");
}

/**
 * How the seed count was chosen, from the plan record; empty when the plan does not say.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * seedChoiceLines(data); // ["", "**Seeds.** power for the paper's effect from the pilot's SD: ..."]
 * ```
 */
export function seedChoiceLines(data: ReportData): string[] {
  const c = data.selection.expected.seedChoice;
  if (!c) return [];
  const pilot = c.pilotSd === undefined ? "" : `pilot paired SD ${num(c.pilotSd, 4)}; `;
  return [
    "",
    `**Seeds.** ${c.rule}: ${pilot}the rule asked for ${c.target} paired seed(s), ${c.chosen} were run ` +
    `(at most ${c.cap}). ${c.reason}`,
  ];
}
