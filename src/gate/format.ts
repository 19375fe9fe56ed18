/**
 * The gate's outputs: a markdown summary fit for a pull-request comment, and
 * JSON for machines.
 * @module
 */
import { BAND_RULE } from "./bands.ts";
import type { GateResult } from "./compare.ts";

function num(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : String(value);
}

function signed(value: number): string {
  return Number.isFinite(value) ? (value >= 0 ? "+" : "") + value.toFixed(4) : String(value);
}

/** Timings shown next to the verdict, never gated. */
export interface GateTiming {
  run: string;
  tokensPerSecond: number;
  trainSeconds: number;
}

/**
 * Markdown summary: verdict, what moved (regressions first), claims, timings.
 *
 * @example
 * ```ts
 * import type { GateResult } from "./compare.ts";
 * declare const result: GateResult;
 * declare const timings: GateTiming[];
 * console.log(formatGateMarkdown(result, timings));
 * ```
 */
export function formatGateMarkdown(result: GateResult, timings: GateTiming[] = []): string {
  const lines: string[] = [];
  const regressed = result.metrics.filter((m) => m.status === "regressed" || m.status === "missing");
  const flipped = result.claims.filter((c) => c.regressed);
  lines.push(`## polycom-repro gate: ${result.passed ? "PASSED" : "FAILED"}`, "");
  if (result.passed) {
    lines.push(`All ${result.metrics.length} gated metrics are within their bands and no claim flipped.`, "");
  } else {
    lines.push(
      `${regressed.length} metric(s) regressed or missing, ${flipped.length} claim(s) flipped, ` +
        `${result.missingRuns.length} run(s) missing.`,
      "",
    );
  }
  const order = { regressed: 0, missing: 1, improved: 2, ok: 3 } as const;
  const rows = [...result.metrics].sort((a, b) =>
    order[a.status] - order[b.status] || a.metric.localeCompare(b.metric)
  );
  lines.push("| activation | metric | baseline | current | change | band | better | status |");
  lines.push("| --- | --- | ---: | ---: | ---: | ---: | --- | --- |");
  for (const m of rows) {
    const status = m.status === "regressed" ? "**regressed**" : m.status === "missing" ? "**missing**" : m.status;
    lines.push(
      `| ${m.activation} | ${m.metric} | ${num(m.baseline)} | ${num(m.current)} | ${signed(m.delta)} | ` +
        `±${num(m.band)} | ${m.better} | ${status} |`,
    );
  }
  if (result.claims.length) {
    lines.push("", "| claim | baseline verdict | current verdict | |", "| --- | --- | --- | --- |");
    for (const c of result.claims) {
      lines.push(`| ${c.claim} | ${c.baseline} | ${c.current} | ${c.regressed ? "**flipped**" : ""} |`);
    }
  }
  if (result.missingRuns.length) lines.push("", `Missing runs: ${result.missingRuns.join(", ")}`);
  if (timings.length) {
    lines.push("", "Timings (reported, not gated: CI machines are noisy):", "");
    lines.push("| run | tokens/s | training s |", "| --- | ---: | ---: |");
    for (const t of timings) {
      lines.push(`| ${t.run} | ${Math.round(t.tokensPerSecond)} | ${t.trainSeconds.toFixed(1)} |`);
    }
  }
  lines.push("", `Rule: ${BAND_RULE}.`);
  return lines.join("\n") + "\n";
}

/**
 * JSON for machines: the whole result plus timings.
 *
 * @example
 * ```ts
 * import type { GateResult } from "./compare.ts";
 * declare const result: GateResult;
 * declare const timings: GateTiming[];
 * const json = formatGateJson(result, timings);
 * ```
 */
export function formatGateJson(result: GateResult, timings: GateTiming[] = []): string {
  const clean = (v: number) => (Number.isFinite(v) ? v : null);
  return JSON.stringify(
    {
      passed: result.passed,
      metrics: result.metrics.map((m) => ({ ...m, current: clean(m.current), delta: clean(m.delta) })),
      claims: result.claims,
      missingRuns: result.missingRuns,
      timings,
      rule: BAND_RULE,
    },
    null,
    2,
  ) + "\n";
}
