/**
 * Comparing current results with the baseline: per activation and metric,
 * the mean over the baseline's seeds, its change and its band; and claim
 * verdicts that held before and fail now.
 * @module
 */
import type { Band, Baseline, BaselineRun } from "./baseline.ts";

/** One compared metric of one activation. */
export interface MetricComparison {
  activation: string;
  metric: string;
  baseline: number;
  current: number;
  /** current − baseline. */
  delta: number;
  band: number;
  better: Band["better"];
  status: "ok" | "regressed" | "improved" | "missing";
}

/** One claim's verdict then and now. */
export interface ClaimComparison {
  claim: string;
  baseline: string;
  current: string;
  /** A claim reproduced in the baseline that is not reproduced now. */
  regressed: boolean;
}

/** Everything the gate decided. */
export interface GateResult {
  passed: boolean;
  metrics: MetricComparison[];
  claims: ClaimComparison[];
  /** Runs the baseline has and the current results lack. */
  missingRuns: string[];
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Compares current per-run metrics and verdicts with a baseline.
 *
 * @example
 * ```ts
 * import type { Baseline, BaselineRun } from "./baseline.ts";
 * declare const baseline: Baseline;
 * declare const currentRuns: BaselineRun[];
 * declare const currentVerdicts: Record<string, string>;
 * const result = compareWithBaseline(baseline, currentRuns, currentVerdicts);
 * if (!result.passed) console.log(result.metrics.filter((m) => m.status === "regressed"));
 * ```
 */
export function compareWithBaseline(
  baseline: Baseline,
  current: BaselineRun[],
  verdicts: Record<string, string>,
): GateResult {
  const currentByKey = new Map(current.map((r) => [`${r.activation}/${r.seed}`, r]));
  const missingRuns = baseline.runs.map((r) => `${r.activation}/${r.seed}`).filter((k) => !currentByKey.has(k));
  const metrics: MetricComparison[] = [];
  for (const activation of [...new Set(baseline.runs.map((r) => r.activation))]) {
    const runs = baseline.runs.filter((r) => r.activation === activation);
    for (const [metric, band] of Object.entries(baseline.bands)) {
      const pairs = runs.map((
        r,
      ) => [r.metrics[metric], currentByKey.get(`${r.activation}/${r.seed}`)?.metrics[metric]]);
      const base = mean(pairs.map(([b]) => b).filter((v): v is number => v !== undefined));
      const have = pairs.filter(([b, c]) => b !== undefined && c !== undefined) as Array<[number, number]>;
      if (have.length !== pairs.length || have.length === 0) {
        metrics.push({
          activation,
          metric,
          baseline: base,
          current: NaN,
          delta: NaN,
          band: band.band,
          better: band.better,
          status: "missing",
        });
        continue;
      }
      const now = mean(have.map(([, c]) => c));
      const delta = now - base;
      const worse = band.better === "lower" ? delta : -delta;
      const status = !Number.isFinite(now) || worse > band.band ? "regressed" : -worse > band.band ? "improved" : "ok";
      metrics.push({
        activation,
        metric,
        baseline: base,
        current: now,
        delta,
        band: band.band,
        better: band.better,
        status,
      });
    }
  }
  const claims: ClaimComparison[] = Object.entries(baseline.verdicts).map(([claim, before]) => {
    const after = verdicts[claim] ?? "missing";
    return { claim, baseline: before, current: after, regressed: before === "reproduced" && after !== "reproduced" };
  });
  const passed = missingRuns.length === 0 && metrics.every((m) => m.status === "ok" || m.status === "improved") &&
    claims.every((c) => !c.regressed);
  return { passed, metrics, claims, missingRuns };
}
