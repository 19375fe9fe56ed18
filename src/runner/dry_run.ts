/**
 * The plan as printed before training (and alone with `--dry-run`): per run,
 * parameters, tokens, FLOPs, the estimated wall time on this machine, its id
 * and what training it needs (finished, partial or new), the expected total
 * on the chosen jobs, and what the budget left out.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CHECKPOINT_FILES, countParameters, flopsPerToken } from "../model/mod.ts";
import { RUN_FILES, runEnded } from "../results/layout.ts";
import type { RunRecord } from "../results/schema.ts";
import type { PlannedRun } from "./plan.ts";
import { formatDuration } from "./progress.ts";
import type { PlanSummary } from "./reproduce.ts";
import { settingLabel } from "../results/recipe.ts";

function si(value: number): string {
  const units: Array<[number, string]> = [[1e21, "Z"], [1e18, "E"], [1e15, "P"], [1e12, "T"], [1e9, "G"], [1e6, "M"], [
    1e3,
    "k",
  ]];
  for (const [scale, unit] of units) if (Math.abs(value) >= scale) return `${(value / scale).toFixed(2)}${unit}`;
  return String(Math.round(value));
}

/**
 * What a planned run needs: `finished` (ended already, skipped), `partial`
 * (a record and a checkpoint: it resumes from the checkpoint's step) or `new`
 * (trains from step 0, also when a record was left without a checkpoint).
 *
 * @example
 * ```ts
 * import { runState } from "./dry_run.ts";
 * runState("results/smoke/no-such-run"); // "new"
 * ```
 */
export function runState(dir: string): "finished" | "partial" | "new" {
  let record: Pick<RunRecord, "status">;
  try {
    record = JSON.parse(Deno.readTextFileSync(join(dir, RUN_FILES.record)));
  } catch {
    return "new";
  }
  if (runEnded(record)) return "finished";
  return existsSync(join(dir, RUN_FILES.checkpoint, CHECKPOINT_FILES.trainerState)) ? "partial" : "new";
}

function row(run: PlannedRun): string {
  const c = run.config;
  const counts = countParameters(c.model);
  const tokens = c.train.steps * c.train.tokensPerStep;
  const flops = flopsPerToken(c.model, c.train.seqLen) * tokens;
  const est = run.estimatedSeconds == null ? "—" : formatDuration(run.estimatedSeconds);
  const setting = c.recipe ? ` (${settingLabel(c.recipe)})` : "";
  return `| ${c.suite}/${c.activation} seed ${c.seed}${setting} | ${si(counts.total)} / ${si(counts.active)} | ${
    si(tokens)
  } | ` +
    `${si(flops)} | ${est} | ${c.scale} | ${run.runId} | ${runState(run.dir)} |`;
}

/**
 * Formats the plan.
 *
 * @example
 * ```ts
 * import type { ReproduceSummary } from "./reproduce.ts";
 * declare const summary: ReproduceSummary;
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
  lines.push("| run | params (total / active) | tokens | training FLOPs | est. time | rung | id | state |");
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const run of plan.runs) lines.push(row(run));
  if (plan.makespanSeconds !== null) {
    lines.push(
      `expected wall time: ${formatDuration(plan.makespanSeconds)} on ${plan.jobs} job${plan.jobs > 1 ? "s" : ""} ` +
        "(training, evaluation and start-up)",
    );
  }
  lines.push(...sweepLines(plan));
  if (plan.leftOut.length) {
    const total = plan.leftOut.reduce((s, r) => s + (r.estimatedSeconds ?? 0), 0);
    lines.push(`left out (a longer budget adds them, about ${formatDuration(total)} of runs, most important first):`);
    for (const run of plan.leftOut) lines.push(row(run));
  }
  return lines.join("\n");
}

/** The recipe sweep: what it tries, each activation's choice so far, and the runs still to plan. */
function sweepLines(plan: PlanSummary): string[] {
  const sweep = plan.sweep;
  if (!sweep) return [];
  const settings = sweep.arms[0].settings;
  const lines = [
    `recipe sweep${sweep.leftOut ? " (left out: the budget does not fit it)" : ""}: ${settings.length} settings ` +
    `(${settings.map(settingLabel).join("; ")}) × ${sweep.arms.length} activation-rung arms, one pilot seed each; ` +
    "then each arm's seeds at its best setting by final validation loss",
  ];
  for (const arm of sweep.arms) {
    if (!arm.choice) continue;
    const loss = arm.choice.means.find((m) => m.setting === arm.choice!.setting)!.valLoss;
    lines.push(
      `  ${arm.suite}/${arm.rung}/${arm.activation}: best ${settingLabel(arm.choice.setting)} ` +
        `(final validation loss ${loss.toFixed(4)}), seeds ${arm.seeds.join(", ")} there`,
    );
  }
  const pending = sweep.arms.reduce((n, a) => n + a.pending, 0);
  if (pending) {
    const total = sweep.pendingSeconds.reduce((a, b) => a + b, 0);
    lines.push(
      `  then at most ${pending} runs at the best settings, planned once the pilots end` +
        (sweep.pendingSeconds.length ? ` (about ${formatDuration(total)} of runs, in the expected wall time)` : ""),
    );
  }
  return lines;
}
