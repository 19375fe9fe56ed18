/**
 * The gate's result as JUnit XML, the test-report format CI systems read: one
 * test case per gated metric (per activation) and one per claim, failed when
 * the metric regressed or is missing, or the claim flipped.
 * @module
 */
import type { ClaimComparison, GateResult, MetricComparison } from "./compare.ts";

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}

function metricLine(m: MetricComparison): string {
  return `${m.status}: ${m.current} against baseline ${m.baseline} (change ${m.delta}, band ±${m.band}, ` +
    `${m.better} is better)`;
}

function testCase(className: string, name: string, message: string, failed: boolean): string {
  const attrs = `classname="${escapeXml(className)}" name="${escapeXml(name)}"`;
  const body = failed ? `<failure message="${escapeXml(message)}"/>` : `<system-out>${escapeXml(message)}</system-out>`;
  return `    <testcase ${attrs}>${body}</testcase>`;
}

function suite(name: string, cases: Array<{ line: string; failed: boolean }>): string[] {
  const failures = cases.filter((c) => c.failed).length;
  return [
    `  <testsuite name="${name}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases.map((c) => c.line),
    "  </testsuite>",
  ];
}

/**
 * JUnit XML of a gate result.
 *
 * @example
 * ```ts
 * import { compareWithBaseline } from "./compare.ts";
 * import { readBaseline } from "./baseline.ts";
 * const result = compareWithBaseline(await readBaseline("baselines/gate.json"), [], {});
 * await Deno.writeTextFile("gate-junit.xml", formatGateJunit(result));
 * ```
 */
export function formatGateJunit(result: GateResult): string {
  const metrics = result.metrics.map((m) => {
    const failed = m.status === "regressed" || m.status === "missing";
    return { line: testCase(`gate.${m.activation}`, m.metric, metricLine(m), failed), failed };
  });
  const claims = result.claims.map((c: ClaimComparison) => ({
    line: testCase(
      "gate.claims",
      c.claim,
      `${c.regressed ? "flipped" : "held"}: ${c.baseline} in the baseline, ${c.current} now`,
      c.regressed,
    ),
    failed: c.regressed,
  }));
  const total = metrics.length + claims.length;
  const failures = [...metrics, ...claims].filter((c) => c.failed).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="polycom-repro gate" tests="${total}" failures="${failures}" errors="0">`,
    ...suite("gated metrics", metrics),
    ...suite("claims", claims),
    "</testsuites>",
  ].join("\n") + "\n";
}
