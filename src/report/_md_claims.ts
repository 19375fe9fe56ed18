/**
 * Markdown for the claims: the summary table and one section per claim with
 * the paper's numbers (tagged), how it was tested, per-seed values and the
 * verdict.
 * @module
 */
import { displayName } from "../published/mod.ts";
import type { Measure, PublishedValue } from "../judge/claims.ts";
import { measureSpec } from "../judge/measures.ts";
import { publishedPairs, publishedQuantity } from "../judge/paper_effect.ts";
import type { ReportData } from "./data.ts";
import type { ClaimResult, Comparison } from "../judge/evaluate.ts";
import { code, num, signed, table } from "./_format.ts";
import { powerTable } from "./_md_power.ts";

const isSpeedup = (c: { measure: Measure }) => measureSpec(c.measure).pairing === "speedup";

/**
 * A verdict in bold.
 *
 * @example
 * ```ts
 * verdictText("reproduced"); // "**reproduced**"
 * ```
 */
export function verdictText(verdict: string): string {
  return `**${verdict}**`;
}

/**
 * A published value with its tag: `-0.019 [der]`.
 *
 * @example
 * ```ts
 * publishedText({ label: "gap", value: -0.019, tag: "der" }); // "-0.019 [der]"
 * ```
 */
export function publishedText(value: PublishedValue): string {
  const v = typeof value.value === "number" ? String(value.value) : value.value;
  return `${v} [${value.tag}]`;
}

function comparisonName(c: Comparison): string {
  const base = `${displayName(c.activation)} vs ${displayName(c.versus)}`;
  return c.source !== undefined ? `${base} on ${code(c.source)}` : base;
}

/**
 * Our result of a comparison in one cell: mean d with its interval, speed-ups as ×.
 *
 * @example
 * ```ts
 * import type { Comparison } from "../judge/evaluate.ts";
 * declare const comparison: Comparison;
 * oursText(comparison); // "-0.0213 [-0.0290, -0.0136]" or "1.190x [1.137x, 1.246x]"
 * ```
 */
export function oursText(c: Comparison): string {
  if (c.pairs.length === 0) return "no paired seed";
  const iv = c.interval;
  if (isSpeedup(c)) {
    const x = (v: number) => `${num(Math.exp(v), measureSpec(c.measure).digits)}${measureSpec(c.measure).unit}`;
    return c.pairs.length < 2 ? `${x(iv.mean)} (n=1)` : `${x(iv.mean)} [${x(iv.lo)}, ${x(iv.hi)}]`;
  }
  const digits = measureSpec(c.measure).digits;
  return c.pairs.length < 2
    ? `${signed(iv.mean, digits)} (n=1)`
    : `${signed(iv.mean, digits)} [${signed(iv.lo, digits)}, ${signed(iv.hi, digits)}]`;
}

function perSeedText(c: Comparison): string {
  const { digits, unit } = measureSpec(c.measure);
  if (isSpeedup(c)) return c.pairs.map((p) => `s${p.seed}: ${num(p.a, digits)}${unit}`).join(", ");
  return c.pairs.map((p) => `s${p.seed}: ${signed(p.d, digits)}`).join(", ");
}

function paperText(result: ClaimResult, c: Comparison): string {
  if (c.paper) return publishedText(c.paper);
  // Pair the published values of the two activations that measure the same thing.
  const pairs = publishedPairs(result.claim, c.activation, c.versus);
  if (pairs.length === 0) return "none published";
  return pairs.map(([a, b]) => {
    const [va, vb] = [a.value as number, b.value as number];
    const prefix = pairs.length > 1 ? `${publishedQuantity(a)}: ` : "";
    return `${prefix}${va} vs ${vb}, d = ${signed(va - vb, 3)} [${a.tag}]`;
  }).join("; ");
}

function quantity(result: ClaimResult): string {
  return measureSpec(result.claim.measure).description;
}

/**
 * The summary table of all claims.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * claimsSummary(data); // "| # | claim | ... |"
 * ```
 */
export function claimsSummary(data: ReportData): string {
  const rows = data.claims.map((r, i) => [
    `C${i + 1}`,
    `${r.claim.title} (${code(r.claim.id)})`,
    r.comparisons.length
      ? r.comparisons.map((c) =>
        `${comparisonName(c)}: ${oursText(c)}${c.pairs.length === 0 && c.reason ? ` (${c.reason})` : ""} ${
          verdictText(c.verdict)
        }`
      )
        .join("; ")
      : `not testable here (${r.outOfScope.map(displayName).join(", ") || "no runs"})`,
    `${verdictText(r.verdict)} (${r.verdictOf === "headline" ? "headline comparison" : "all pairs"})`,
  ]);
  return table(["#", "claim", "comparisons, headline first: ours, mean [95% CI], and verdict", "claim"], rows);
}

/**
 * One section per claim.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * claimSections(data).join("\n\n");
 * ```
 */
export function claimSections(data: ReportData): string[] {
  return data.claims.map((r, i) => {
    const lines = [
      `### C${i + 1}. ${r.claim.title}: ${verdictText(r.verdict)}`,
      "",
      `Claim ${code(r.claim.id)}: ${r.claim.text}`,
      "",
    ];
    const published = [...r.claim.published, ...r.comparisons.flatMap((c) => (c.paper ? [c.paper] : []))];
    const unique = published.filter((p, j) => published.findIndex((q) => q.label === p.label) === j);
    if (unique.length) {
      lines.push("Published:", "");
      for (const p of unique) lines.push(`- ${p.label}: ${publishedText(p)}`);
      lines.push("");
    }
    lines.push(`How it is tested: ${r.claim.howTested}`, "");
    if (r.outOfScope.length) {
      lines.push(
        `Not tested in this suite (it does not run them): ${r.outOfScope.map(displayName).join(", ")}.`,
        "",
      );
    }
    if (r.comparisons.length === 0) {
      lines.push("No comparison of this claim can be made from this suite's runs.");
      return lines.join("\n");
    }
    lines.push(`Ours: ${quantity(r)}; the paper's direction is "${describeDirection(r)}".`, "");
    lines.push(table(
      ["comparison", "paper", "expected", "ours: mean [95% CI]", "per seed", "n", "verdict", "note"],
      r.comparisons.map((c) => [
        comparisonName(c),
        paperText(r, c),
        isSpeedup(c) ? (c.expected === "higher" ? "> 1x" : "< 1x") : c.expected === "lower" ? "d < 0" : "d > 0",
        oursText(c),
        perSeedText(c),
        c.pairs.length,
        verdictText(c.verdict),
        c.reason || (isSpeedup(c) ? c.pairs.map((p) => `s${p.seed} ${p.note}`).join("; ") : ""),
      ]),
    ));
    lines.push("", "Power of these seeds:", "", powerTable(r.comparisons, comparisonName));
    return lines.join("\n");
  });
}

function describeDirection(r: ClaimResult): string {
  if ("ranking" in r.claim.test) {
    return `each activation below the next in ${r.claim.test.ranking.map(displayName).join(" < ")}`;
  }
  return r.comparisons.map((c) =>
    `${displayName(c.activation)} ${
      isSpeedup(c)
        ? (c.expected === "higher" ? "faster than" : "slower than")
        : c.expected === "lower"
        ? "below"
        : "above"
    } ${displayName(c.versus)}`
  ).filter((v, i, all) => all.indexOf(v) === i).join(", ");
}
