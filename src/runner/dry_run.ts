/**
 * The `--dry-run` table: per run, parameters, tokens, FLOPs and an estimated
 * time on the detected device.
 * @module
 */
import { join } from "node:path";
import type { BackendInfo } from "../backend/mod.ts";
import { countParameters, flopsPerToken } from "../model/mod.ts";
import type { Scale } from "../results/schema.ts";
import { probeThroughput, type Throughput, throughputFromBench } from "./estimate.ts";
import type { PlannedRun } from "./plan.ts";
import { formatDuration } from "./progress.ts";

function si(value: number): string {
  const units: Array<[number, string]> = [[1e21, "Z"], [1e18, "E"], [1e15, "P"], [1e12, "T"], [1e9, "G"], [1e6, "M"], [
    1e3,
    "k",
  ]];
  for (const [scale, unit] of units) if (Math.abs(value) >= scale) return `${(value / scale).toFixed(2)}${unit}`;
  return String(Math.round(value));
}

/**
 * Formats the plan; with `estimate`, measures the device and adds times.
 *
 * @example
 * ```ts
 * console.log(await formatDryRun(runs, "cpu", env, "results", true));
 * ```
 */
export async function formatDryRun(
  runs: PlannedRun[],
  scale: Scale,
  env: BackendInfo,
  resultsDir: string,
  estimate: boolean,
): Promise<string> {
  const device = env.adapter ? `${env.backend} on ${env.adapter.description}` : `${env.backend} on ${env.cpu.model}`;
  const lines = [`plan: ${runs.length} runs at scale '${scale}' on ${device}`];
  if (!estimate) return lines.join("\n");
  const throughput: Throughput = (await throughputFromBench(join(resultsDir, "bench", "latest.json"), env.backend)) ??
    await probeThroughput();
  lines.push(`time estimates from: ${throughput.basis}`);
  lines.push("| run | params (total / active) | tokens | training FLOPs | est. time |");
  lines.push("| --- | --- | --- | --- | --- |");
  let totalSeconds = 0;
  for (const run of runs) {
    const c = run.config;
    const counts = countParameters(c.model);
    const tokens = c.train.steps * c.train.tokensPerStep;
    const flops = flopsPerToken(c.model, c.train.seqLen) * tokens;
    const seconds = flops / throughput.flopsPerSecond;
    totalSeconds += seconds;
    lines.push(
      `| ${c.suite}/${c.activation} seed ${c.seed} | ${si(counts.total)} / ${si(counts.active)} | ${si(tokens)} | ` +
        `${si(flops)} | ${formatDuration(seconds)} |`,
    );
  }
  lines.push(`total estimated training time: ${formatDuration(totalSeconds)} (evaluation not included)`);
  return lines.join("\n");
}
