/**
 * Markdown for the trend across sizes: per claim, the gap to the baseline at
 * each rung beside the paper's point, and a sentence on what it shows.
 * @module
 */
import { displayName } from "../published/mod.ts";
import { measureSpec } from "../judge/measures.ts";
import { type ComparisonTrend, describeTrend } from "../judge/trend.ts";
import type { ReportData } from "./data.ts";
import { code, count, num, signed, table, tokens } from "./_format.ts";

/** d as printed: speed-ups as a factor, differences signed. */
function dText(t: ComparisonTrend, d: number): string {
  const { digits, unit, pairing } = measureSpec(t.measure);
  return pairing === "speedup" ? `${num(Math.exp(d), digits)}${unit}` : signed(d, digits);
}

/**
 * What one comparison's trend shows, in a sentence.
 *
 * @example
 * ```ts
 * import type { ComparisonTrend } from "../judge/trend.ts";
 * declare const trend: ComparisonTrend;
 * trendSentence(trend); // "PolyNorm vs SwiGLU: the gap in the paper's direction grows with size, ..."
 * ```
 */
export function trendSentence(t: ComparisonTrend): string {
  const f = describeTrend(t);
  const first = t.points[0];
  const speedup = measureSpec(t.measure).pairing === "speedup";
  const size = (g: number) => speedup ? dText(t, g) : num(g, measureSpec(t.measure).digits);
  const words = f.direction === "flat" ? "stays flat" : `${f.direction}`;
  return `${displayName(t.activation)} vs ${displayName(t.versus)}: in the paper's direction the ${
    speedup ? "log speed-up" : "gap"
  } ${words} with size, from ${size(f.first)} at ${count(first.parameters)} parameters to ${size(f.last)} at ${
    count(f.largest.parameters)
  }${
    f.signChange ? ", changing sign on the way" : ""
  }; at the largest rung (${f.largest.scale}) the verdict is ${f.largest.verdict}${
    t.paper ? `; the paper's ${dText(t, t.paper.effect)} is at ${count(t.paper.parameters)} parameters` : ""
  }.`;
}

/**
 * The trend section; empty when the results have one rung only.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * trendSection(data, (file) => []);
 * ```
 */
export function trendSection(data: ReportData, chart: (file: string) => string[]): string[] {
  if (data.trends.length === 0) return [];
  const lines = [
    "### Trend across sizes",
    "",
    `Results exist at ${new Set(data.trends.flatMap((t) => t.points.map((p) => p.scale))).size} rungs. Per claim, ` +
    `each comparison with ${
      displayName(data.selection.baseline)
    } at every rung (mean paired d with its 95% interval, ` +
    "speed-ups as ×), against the rung's parameters and tokens, beside the paper's single run.",
    "",
  ];
  const claims = [...new Set(data.trends.map((t) => t.claim.id))];
  for (const id of claims) {
    const mine = data.trends.filter((t) => t.claim.id === id);
    lines.push(`**${mine[0].claim.title}** (${code(id)})`, "");
    const rows = mine.flatMap((t) => [
      ...t.points.map((p) => [
        `${displayName(t.activation)} vs ${displayName(t.versus)}`,
        p.scale,
        count(p.parameters),
        tokens(p.tokens),
        p.interval.n >= 2
          ? `${dText(t, p.interval.mean)} [${dText(t, p.interval.lo)}, ${dText(t, p.interval.hi)}]`
          : `${dText(t, p.interval.mean)} (n=1)`,
        p.interval.n,
        p.verdict,
      ]),
      ...(t.paper
        ? [[
          `${displayName(t.activation)} vs ${displayName(t.versus)}`,
          "paper",
          count(t.paper.parameters),
          tokens(t.paper.tokens),
          dText(t, t.paper.effect),
          1,
          "single run",
        ]]
        : []),
    ]);
    lines.push(table(["comparison", "rung", "parameters", "tokens", "d: mean [95% CI]", "n", "verdict"], rows), "");
    lines.push(...chart(`trend_${id.replaceAll(".", "_")}.png`));
    for (const t of mine) lines.push(`- ${trendSentence(t)}`);
    lines.push("");
  }
  return lines;
}
