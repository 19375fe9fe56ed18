/**
 * `gate`: run the gate suite, compare with the committed baseline, and say
 * pass (0), regression (1) or bad input (2). With `--update-baseline`, also
 * measure drift (a repeat on the same backend and a run on a second backend)
 * and rewrite the baseline with bands from those measurements. Training goes
 * through the runner; judging is `gate.ts`'s, from the result files.
 * @module
 */
import type { BackendChoice } from "../backend/mod.ts";
import type { Scale } from "../results/schema.ts";
import { loadRuns } from "../results/io.ts";
import { readPlan, rungOf } from "../results/plan.ts";
import { reproduce } from "../runner/reproduce.ts";
import { type Baseline, BASELINE_SCHEMA, type BaselineRun, readBaseline, writeBaseline } from "./baseline.ts";
import { BAND_FLOOR, BAND_RULE, measureBands } from "./bands.ts";
import { GATE_SUITE, type GateOutcome, judgeGate, measureGateRuns, toBaselineRuns } from "./gate.ts";

/** Options of {@linkcode runGate}. */
export interface GateOptions {
  baselinePath: string;
  resultsDir: string;
  update: boolean;
  /** Suite name or path (default: the shipped `gate` suite). */
  suite?: string;
  /** Scale of the gated runs (default `cpu`). */
  scale?: Scale;
  /** Backend of the gated runs (default `wasm`, the fast CPU backend). */
  backend?: BackendChoice;
  /**
   * Second backend for the drift measurement of `--update-baseline` (default `cpu`, tfjs's plain JavaScript
   * kernels: a different summation order everywhere). It is about 20× slower, so only the first seed runs there.
   */
  driftBackend?: BackendChoice;
  quiet?: boolean;
}

async function runSuite(
  suite: string,
  scale: Scale,
  backend: BackendChoice,
  resultsDir: string,
  quiet: boolean,
  seeds?: number[],
) {
  const summary = await reproduce({
    suites: [suite],
    scales: [scale],
    estimate: false,
    backend,
    seeds,
    resultsDir,
    dryRun: false,
    quiet,
    interactive: false,
  });
  // What was expected comes from the plan record the runner wrote, not from the suite file.
  const suiteName = summary.runs[0]?.run.config.suite;
  const planned = suiteName ? rungOf(await readPlan(resultsDir, suiteName), summary.scale) : null;
  const ids = new Set(planned?.runs.map((r) => r.runId) ?? []);
  const runs = suiteName ? (await loadRuns(resultsDir, suiteName)).filter((r) => ids.has(r.record.runId)) : [];
  return { summary, runs };
}

/**
 * Runs the gate.
 *
 * @example
 * ```ts
 * import { DEFAULT_BASELINE } from "./gate.ts";
 * const outcome = await runGate({ baselinePath: DEFAULT_BASELINE, resultsDir: "results", update: false });
 * ```
 */
export async function runGate(options: GateOptions): Promise<GateOutcome> {
  const suite = options.suite ?? GATE_SUITE;
  const scale = options.scale ?? "cpu";
  const backend = options.backend ?? "wasm";
  const quiet = options.quiet ?? false;
  // Validate the baseline before spending minutes training.
  const existing = options.update ? null : await readBaseline(options.baselinePath);
  const { summary, runs } = await runSuite(suite, scale, backend, options.resultsDir, quiet);
  const measured = measureGateRuns(runs);
  const current = measured.runs;
  if (existing) return judgeGate(measured, existing);
  // Drift: the same runs repeated on the same backend and run on a second backend, in scratch folders.
  const repeats: BaselineRun[][] = [];
  const driftRuns: string[] = [];
  const firstSeed = current.map((r) => r.seed).sort((a, b) => a - b).slice(0, 1);
  const drifts: Array<[BackendChoice, number[] | undefined]> = [
    [backend, undefined],
    [options.driftBackend ?? "cpu", firstSeed],
  ];
  for (const [driftBackend, seeds] of drifts) {
    const dir = await Deno.makeTempDir({ prefix: "polycom-gate-drift-" });
    try {
      const repeat = await runSuite(suite, scale, driftBackend, dir, quiet, seeds);
      repeats.push(toBaselineRuns(repeat.runs));
      driftRuns.push(`${repeat.runs.length} runs repeated on ${repeat.summary.env.backend}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  const first = runs[0]?.record;
  const baseline: Baseline = {
    schema: BASELINE_SCHEMA,
    suite: first?.suite ?? suite,
    scale: summary.scale,
    backend: summary.env.backend,
    seeds: [...new Set(current.map((r) => r.seed))].sort((a, b) => a - b),
    createdAt: new Date().toISOString(),
    code: first?.code ?? { commit: "unknown", dirty: true, sourceHash: "" },
    runs: current,
    verdicts: measured.verdicts,
    bands: measureBands(current, repeats),
    method: { rule: BAND_RULE, driftRuns, floor: BAND_FLOOR },
  };
  await writeBaseline(options.baselinePath, baseline);
  return judgeGate(measured, baseline, true);
}
