/**
 * Writing reports: `reports/<suite>/REPORT.md` and its PNG charts, from
 * whatever results exist. The CLI calls {@linkcode writeReports}: its
 * `reproduce` command after the runs (unless `--no-report`), its `report`
 * command directly. The runner itself writes no reports.
 * @module
 */
import { join } from "node:path";
import { type LoadedRun, loadRuns, type Scale } from "../results/mod.ts";
import { readPlan, rungOf } from "../results/plan.ts";
import { replaceDirAtomic } from "../util/atomic.ts";
import { UsageError } from "../util/errors.ts";
import { readBench } from "./bench.ts";
import { renderCharts } from "./charts/mod.ts";
import { buildReportData } from "./data.ts";
import { renderMarkdown } from "./markdown.ts";
import { type ExpectedRuns, pickScale, selectRuns } from "../judge/select.ts";

/** Options of {@linkcode writeReports}. */
export interface WriteReportsOptions {
  resultsDir: string;
  outDir: string;
  /** Only this suite (a suite name as in `results/<suite>/`); all suites when omitted. */
  suite?: string;
  /** Report this scale; by default the scale with the most finished runs. */
  scale?: Scale;
  /** Skip the charts (markdown only). */
  charts?: boolean;
  /** Timestamp printed in the report (tests pin it). */
  now?: Date;
}

/**
 * The activations and seeds the runner planned for a suite at a rung, from
 * the plan record it wrote (`results/<suite>/plan.json`); `null` when there
 * is none (the report then infers them from the runs present).
 *
 * @example
 * ```ts
 * await expectedFromPlan("results", "smoke-dense", "smoke"); // { activations: [...], seeds: [0, 1], source: "..." }
 * ```
 */
export async function expectedFromPlan(resultsDir: string, suite: string, scale: Scale): Promise<ExpectedRuns | null> {
  const rung = rungOf(await readPlan(resultsDir, suite), scale);
  if (!rung) return null;
  const byActivation = new Map<string, number[]>();
  for (const r of rung.leftOut) byActivation.set(r.activation, [...(byActivation.get(r.activation) ?? []), r.seed]);
  const adds = [...byActivation].map(([a, seeds]) => `${a} seed${seeds.length > 1 ? "s" : ""} ${seeds.join(", ")}`);
  return {
    activations: rung.activations,
    seeds: rung.seeds,
    source: `plan record ${suite}/plan.json, rung ${scale}` +
      (adds.length ? `; the time budget left out ${adds.join("; ")}, which a longer budget adds` : ""),
    ...(rung.seedChoice ? { seedChoice: rung.seedChoice } : {}),
  };
}

/**
 * Writes one report per suite found under `resultsDir` (or only `suite`) and
 * returns the paths of the REPORT.md files. Each report folder is replaced
 * atomically. Throws UsageError when there is nothing to report.
 *
 * @example
 * ```ts
 * const written = await writeReports({ resultsDir: "results", outDir: "reports", suite: "smoke-dense" });
 * // ["reports/smoke-dense/REPORT.md"]
 * ```
 */
export async function writeReports(options: WriteReportsOptions): Promise<string[]> {
  const runs = await loadRuns(options.resultsDir, options.suite);
  if (runs.length === 0) {
    throw new UsageError(
      options.suite
        ? `no runs of suite '${options.suite}' under '${options.resultsDir}'`
        : `no runs under '${options.resultsDir}'`,
    );
  }
  const bench = await readBench(options.resultsDir);
  const suites = [...new Set(runs.map((r) => r.record.suite))].sort();
  const written: string[] = [];
  for (const suite of suites) {
    const mine = runs.filter((r) => r.record.suite === suite);
    written.push(await writeOne(suite, mine, options, bench));
  }
  return written;
}

async function writeOne(
  suite: string,
  runs: LoadedRun[],
  options: WriteReportsOptions,
  bench: Awaited<ReturnType<typeof readBench>>,
): Promise<string> {
  if (options.scale && !runs.some((r) => r.record.scale === options.scale)) {
    throw new UsageError(`suite '${suite}' has no runs at the '${options.scale}' scale`);
  }
  const scale = options.scale ?? pickScale(runs);
  const expected = await expectedFromPlan(options.resultsDir, suite, scale);
  const selection = selectRuns(runs, { scale, expected: expected ?? undefined });
  const data = buildReportData(selection, bench, runs);
  const charts = options.charts === false ? [] : await renderCharts(data);
  const markdown = renderMarkdown(data, { generatedAt: (options.now ?? new Date()).toISOString(), charts });
  const dir = join(options.outDir, suite);
  await Deno.mkdir(options.outDir, { recursive: true });
  await replaceDirAtomic(dir, async (tmp) => {
    await Deno.writeTextFile(join(tmp, "REPORT.md"), markdown);
    for (const chart of charts) await Deno.writeFile(join(tmp, chart.file), chart.png);
  });
  return join(dir, "REPORT.md");
}
