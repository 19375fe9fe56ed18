/**
 * The plan as printed before training (and alone with `--dry-run`): per run,
 * parameters, tokens, FLOPs and the estimated wall time on this machine,
 * the expected total on the chosen jobs, and what the budget left out.
 * @module
 */
import { countParameters, flopsPerToken } from "../model/mod.ts";
import type { PlannedRun } from "./plan.ts";
import { formatDuration } from "./progress.ts";
import type { PlanSummary } from "./reproduce.ts";

function si(value: number): string {
  const units: Array<[number, string]> = [[1e21, "Z"], [1e18, "E"], [1e15, "P"], [1e12, "T"], [1e9, "G"], [1e6, "M"], [
    1e3,
    "k",
  ]];
  for (const [scale, unit] of units) if (Math.abs(value) >= scale) return `${(value / scale).toFixed(2)}${unit}`;
  return String(Math.round(value));
}

function row(run: PlannedRun): string {
  const c = run.config;
  const counts = countParameters(c.model);
  const tokens = c.train.steps * c.train.tokensPerStep;
  const flops = flopsPerToken(c.model, c.train.seqLen) * tokens;
  const est = run.estimatedSeconds == null ? "—" : formatDuration(run.estimatedSeconds);
  return `| ${c.suite}/${c.activation} seed ${c.seed} | ${si(counts.total)} / ${si(counts.active)} | ${si(tokens)} | ` +
    `${si(flops)} | ${est} | ${c.scale} |`;
}

/**
 * Formats the plan.
 *
 * @example
 * ```ts
 * console.log(formatPlan(summary.plan));
 * ```
 */
export function formatPlan(plan: PlanSummary): string {
  const env = plan.env;
  const device = env.adapter ? `${env.backend} on ${env.adapter.description}` : `${env.backend} on ${env.cpu.model}`;
  const rungs = [...new Set(plan.all.map((r) => r.config.scale))];
  const lines = [
    `plan: ${plan.runs.length} runs at scale${rungs.length > 1 ? "s" : ""} ${rungs.map((r) => `'${r}'`).join(", ")} ` +
    `on ${device}, ${plan.jobs} job${plan.jobs > 1 ? "s" : ""} × ${plan.threadsPerJob} GEMM thread${
      plan.threadsPerJob > 1 ? "s" : ""
    }` + (plan.budgetSeconds ? `, budget ${formatDuration(plan.budgetSeconds)}` : ""),
  ];
  if (plan.estimateBasis) lines.push(`time estimates from: ${plan.estimateBasis}`);
  lines.push("| run | params (total / active) | tokens | training FLOPs | est. time | rung |");
  lines.push("| --- | --- | --- | --- | --- | --- |");
  for (const run of plan.runs) lines.push(row(run));
  if (plan.makespanSeconds !== null) {
    lines.push(
      `expected wall time: ${formatDuration(plan.makespanSeconds)} on ${plan.jobs} job${plan.jobs > 1 ? "s" : ""} ` +
        "(training, evaluation and start-up)",
    );
  }
  if (plan.leftOut.length) {
    const total = plan.leftOut.reduce((s, r) => s + (r.estimatedSeconds ?? 0), 0);
    lines.push(`left out (a longer budget adds them, about ${formatDuration(total)} of runs, most important first):`);
    for (const run of plan.leftOut) lines.push(row(run));
  }
  return lines.join("\n");
}
