/**
 * Writing reports: `reports/<suite>/REPORT.md` and its PNG charts, from
 * whatever results exist. The CLI calls {@linkcode writeReports}: its
 * `reproduce` command after the runs (unless `--no-report`), its `report`
 * command directly. The runner itself writes no reports.
 * @module
 */
import { join } from "node:path";
import { type LoadedRun, loadRuns, type Scale } from "../results/mod.ts";
import { listSuites, loadSuites } from "../suite/load.ts";
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
 * The activations and seeds a suite's file plans at a scale, when the suite
 * is one of the shipped ones; `null` otherwise (the report then infers them).
 *
 * @example
 * ```ts
 * await expectedFromSuiteFiles("smoke-dense", "smoke"); // { activations: [...], seeds: [0, 1], source: "..." }
 * ```
 */
export async function expectedFromSuiteFiles(suite: string, scale: Scale): Promise<ExpectedRuns | null> {
  for (const name of listSuites()) {
    let loaded;
    try {
      loaded = await loadSuites(name);
    } catch {
      continue; // a broken suite file is the runner's problem, not the report's
    }
    for (const { suite: s, path } of loaded) {
      if (s.name !== suite) continue;
      const config = s.scales[scale];
      if (!config) return null;
      return {
        activations: s.activations,
        seeds: config.train.seeds ?? s.seeds,
        source: `suite file ${path.split("/").slice(-2).join("/")}, ${scale} scale; seeds given with --seeds are added`,
      };
    }
  }
  return null;
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
  const expected = await expectedFromSuiteFiles(suite, scale);
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
