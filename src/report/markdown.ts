/**
 * The REPORT.md of one suite, in the structure of a replication report
 * (ReScience / ML Reproducibility Challenge): summary, scope, method,
 * results per claim, runs, throughput, deviations, caveats.
 * @module
 */
import { displayName } from "../published/mod.ts";
import type { ChartFile } from "./charts/mod.ts";
import type { ReportData } from "./data.ts";
import { code } from "./_format.ts";
import { claimSections, claimsSummary } from "./_md_claims.ts";
import { methodSection, scopeSection } from "./_md_method.ts";
import { caveatsSection, deviationsSection, provenanceAppendix } from "./_md_notes.ts";
import { trendSection } from "./_md_trend.ts";
import { recipeSection } from "./_md_recipe.ts";
import { powerSummary, spreadTable } from "./_md_power.ts";
import { finalMetricsTable, runsSection, throughputSection } from "./_md_results.ts";
import { taskChanceLines } from "./_md_tasks.ts";
import { seedChoiceLines, verdictSummary } from "./_md_summary.ts";

/** Facts about the report itself. */
export interface MarkdownMeta {
  generatedAt: string;
  /** Charts written beside REPORT.md (only names and captions are used). */
  charts: Array<Pick<ChartFile, "file" | "title" | "caption">>;
}

function chart(meta: MarkdownMeta, file: string): string[] {
  const c = meta.charts.find((x) => x.file === file);
  return c ? [`![${c.title}](${c.file})`, "", `_${c.caption}_`, ""] : [];
}

/**
 * Renders the markdown report.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * const text = renderMarkdown(data, { generatedAt: new Date().toISOString(), charts: [] });
 * ```
 */
export function renderMarkdown(data: ReportData, meta: MarkdownMeta): string {
  const s = data.selection;
  const expected = s.expected.activations.length * s.expected.seeds.length;
  const head = [
    `# Reproduction report: ${code(s.suite)}`,
    "",
    `Published experiment ${code(s.experiment)}${
      data.paper ? ` (${data.paper.title})` : ""
    } at the **${s.scale}** scale. ` +
    `Generated ${meta.generatedAt} by polycom-repro from ${s.usable.length} finished run(s) of ${expected} expected ` +
    `(${s.expected.activations.map(displayName).join(", ")} × ${s.expected.seeds.length} seed(s)).`,
    "",
    verdictSummary(data),
    ...seedChoiceLines(data),
    "",
    claimsSummary(data),
    ...(powerSummary(data) ? ["", powerSummary(data)] : []),
  ];
  const results = [
    "## 3. Results",
    "",
    "### Final metrics",
    "",
    finalMetricsTable(data),
    "",
    spreadTable(data),
    "",
    ...taskChanceLines(data),
    ...chart(meta, "train_loss.png"),
    ...chart(meta, "train_loss_tail.png"),
    ...meta.charts.filter((c) => c.file.startsWith("val_loss_")).flatMap((c) => chart(meta, c.file)),
    "### Ours beside the paper",
    "",
    ...chart(meta, "paper_overlay_train.png"),
    ...chart(meta, "paper_overlay_val.png"),
    ...chart(meta, "gap_vs_paper.png"),
    ...chart(meta, "speedup.png"),
    ...claimSections(data).flatMap((section) => [section, ""]),
    ...trendSection(data, (file) => chart(meta, file)),
    ...recipeSection(data, meta.charts.filter((c) => c.file.startsWith("recipe_")).flatMap((c) => chart(meta, c.file))),
    ...(meta.charts.some((c) => c.file.startsWith("coefficients_")) ? ["### Learned PolyCom coefficients", ""] : []),
    ...meta.charts.filter((c) => c.file.startsWith("coefficients_")).flatMap((c) => chart(meta, c.file)),
  ];
  return [
    ...head,
    "",
    scopeSection(data),
    "",
    methodSection(data),
    "",
    ...results,
    runsSection(data),
    "",
    throughputSection(data),
    "",
    ...chart(meta, "throughput.png"),
    deviationsSection(data),
    "",
    caveatsSection(data),
    "",
    provenanceAppendix(),
    "",
  ].join("\n");
}
