/**
 * Everything a report shows, computed once from a run selection: per
 * activation statistics, paired comparisons with the baseline, the claims'
 * results, and the paper's reference for the experiment.
 * @module
 */
import { activationRow, ACTIVATIONS } from "../activations/table.ts";
import { isExperimentId, type PaperExperiment, paperExperiment } from "../published/mod.ts";
import { finalEval, type LoadedRun } from "../results/mod.ts";
import type { BenchFile } from "./bench.ts";
import { type ClaimResult, compare, type Comparison, evaluateClaims, runValue } from "../judge/evaluate.ts";
import { MEASURES } from "../judge/measures.ts";
import { type ComparisonTrend, sizeTrends } from "../judge/trend.ts";
import type { RunSelection } from "../judge/select.ts";
import { type Interval, tInterval } from "../judge/stats.ts";
import { type TaskChance, taskChances } from "../judge/chance.ts";
import { type RecipeSweep, recipeSweep } from "../judge/recipe.ts";

/**
 * Sorts activation ids in report order: the activation table's `paperOrder`, then unknown ids by name.
 *
 * @example
 * ```ts
 * sortActivations(["swiglu", "polynorm"]); // ["polynorm", "swiglu"]
 * ```
 */
export function sortActivations(activations: Iterable<string>): string[] {
  const last = Object.keys(ACTIVATIONS).length;
  const rank = (a: string) => activationRow(a)?.paperOrder ?? last;
  return [...new Set(activations)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Statistics of one activation over its finished seeds. */
export interface ActivationStats {
  activation: string;
  seeds: number[];
  trainLoss: Interval;
  /** Validation loss averaged over sources. */
  valLoss: Interval;
  valBySource: Record<string, Interval>;
  /** Accuracy averaged over tasks. */
  taskAcc: Interval;
  accByTask: Record<string, Interval>;
  tokensPerSecond: Interval;
}

/** The report's data. */
export interface ReportData {
  selection: RunSelection;
  claims: ClaimResult[];
  activations: string[];
  stats: ActivationStats[];
  /** Every other activation against the baseline, including those without a published number. */
  versusBaseline: { train: Comparison[]; val: Comparison[]; acc: Comparison[] };
  sources: string[];
  tasks: string[];
  paper: PaperExperiment | null;
  bench: BenchFile | null;
  /** Comparisons with the baseline across rungs, when the suite has results at more than one (else empty). */
  trends: ComparisonTrend[];
  /** Each zero-shot task against its chance level. */
  chances: TaskChance[];
  /** The recipe sweep at the report's rung, when results of one exist. */
  recipe: RecipeSweep | null;
}

function finite(values: number[]): number[] {
  return values.filter(Number.isFinite);
}

function statsOf(activation: string, runs: LoadedRun[], sources: string[], tasks: string[]): ActivationStats {
  const mine = runs.filter((r) => r.record.activation === activation);
  const last = mine.map((r) => finalEval(r.evals));
  return {
    activation,
    seeds: mine.map((r) => r.record.seed),
    trainLoss: tInterval(finite(mine.map((r) => runValue(r, "trainLoss")))),
    valLoss: tInterval(finite(mine.map((r) => runValue(r, "valLoss")))),
    valBySource: Object.fromEntries(
      sources.map((s) => [s, tInterval(finite(last.map((e) => e?.sources[s]?.loss ?? NaN)))]),
    ),
    taskAcc: tInterval(finite(mine.map((r) => runValue(r, "taskAcc")))),
    accByTask: Object.fromEntries(tasks.map((t) => [t, tInterval(finite(last.map((e) => e?.tasks[t]?.acc ?? NaN)))])),
    tokensPerSecond: tInterval(finite(mine.map((r) => r.record.timings.tokensPerSecond))),
  };
}

/**
 * Computes a report's data from a selection.
 *
 * @example
 * ```ts
 * import { selectRuns } from "../judge/select.ts";
 * import { loadRuns } from "../results/mod.ts";
 * const runs = await loadRuns("results", "smoke-dense");
 * const data = buildReportData(selectRuns(runs), null, runs);
 * data.claims.map((c) => c.verdict);
 * ```
 */
export function buildReportData(
  selection: RunSelection,
  bench: BenchFile | null,
  allRuns: readonly LoadedRun[] = [],
): ReportData {
  const usable = selection.usable;
  const sources = [...new Set(usable.flatMap((r) => Object.keys(finalEval(r.evals)?.sources ?? {})))].sort();
  const tasks = [...new Set(usable.flatMap((r) => Object.keys(finalEval(r.evals)?.tasks ?? {})))].sort();
  const activations = sortActivations([
    ...selection.expected.activations,
    ...selection.runs.map((r) => r.record.activation),
  ]);
  const others = activations.filter((a) => a !== selection.baseline);
  const against = (measure: "trainLoss" | "valLoss" | "taskAcc") =>
    others.map((a) =>
      compare(usable, {
        activation: a,
        versus: selection.baseline,
        expected: MEASURES[measure].better,
      }, measure)
    );
  const paper = isExperimentId(selection.experiment) ? paperExperiment(selection.experiment) : null;
  const chances = taskChances(usable);
  return {
    selection,
    claims: evaluateClaims(selection, chances),
    activations,
    stats: activations.map((a) => statsOf(a, usable, sources, tasks)),
    versusBaseline: { train: against("trainLoss"), val: against("valLoss"), acc: against("taskAcc") },
    sources,
    tasks,
    paper,
    bench,
    trends: sizeTrends(allRuns, paper && { parameters: paper.parameters, tokens: paper.budgetTokens }),
    chances,
    recipe: recipeSweep(allRuns, selection.scale),
  };
}
