/**
 * Markdown for the result tables that are not claims: final metrics per
 * activation, every run, missing and unused runs, and throughput.
 * @module
 */
import { displayName } from "../published/mod.ts";
import { finalTrainLoss, type LoadedRun } from "../results/mod.ts";
import type { ReportData } from "./data.ts";
import { runValue } from "../judge/evaluate.ts";
import { MEASURES } from "../judge/measures.ts";
import { code, num, table, tokens, withInterval } from "./_format.ts";
import { describeStatus } from "../judge/select.ts";
import { oursText } from "./_md_claims.ts";

/**
 * Final metrics per activation (mean with 95% interval over seeds) and the
 * paired differences with the baseline.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * finalMetricsTable(data);
 * ```
 */
export function finalMetricsTable(data: ReportData): string {
  const base = displayName(data.selection.baseline);
  const headers = [
    "activation",
    "seeds",
    "final train loss",
    "val loss (mean over sources)",
    ...data.sources.map((s) => `val ${s}`),
    ...(data.tasks.length ? ["accuracy (mean over tasks)"] : []),
  ];
  const rows = data.stats.map((s) => [
    displayName(s.activation),
    s.seeds.join(", ") || "none finished",
    withInterval(s.trainLoss, MEASURES.trainLoss.digits),
    withInterval(s.valLoss, MEASURES.valLoss.digits),
    ...data.sources.map((src) => withInterval(s.valBySource[src], MEASURES.valLossPerSource.digits)),
    ...(data.tasks.length ? [withInterval(s.taskAcc, MEASURES.taskAcc.digits)] : []),
  ]);
  const diffs = data.activations.filter((a) => a !== data.selection.baseline).map((a) => {
    const find = (list: typeof data.versusBaseline.train) => list.find((c) => c.activation === a);
    const [t, v, acc] = [find(data.versusBaseline.train), find(data.versusBaseline.val), find(data.versusBaseline.acc)];
    return [
      displayName(a),
      t ? oursText(t) : "n/a",
      v ? oursText(v) : "n/a",
      ...(data.tasks.length ? [acc ? oursText(acc) : "n/a"] : []),
      t?.pairs.length ?? 0,
    ];
  });
  return [
    "Mean over finished seeds with the 95% t-interval in brackets (losses in nats per token; accuracy as a fraction).",
    "",
    table(headers, rows),
    "",
    `Paired differences with ${base} (activation − ${base}, per seed, then mean [95% CI]); this includes activations ` +
    "for which the paper publishes no number:",
    "",
    table(
      [
        "activation",
        `Δ train loss vs ${base}`,
        `Δ val loss vs ${base}`,
        ...(data.tasks.length ? [`Δ accuracy vs ${base}`] : []),
        "paired seeds",
      ],
      diffs,
    ),
    ...(data.tasks.length
      ? [
        "",
        "Accuracy per task (mean [95% CI]):",
        "",
        table(
          ["activation", ...data.tasks],
          data.stats.map((s) => [displayName(s.activation), ...data.tasks.map((t) => withInterval(s.accByTask[t], 3))]),
        ),
      ]
      : []),
  ].join("\n");
}

/** The selection's runs in report order (activation as in the tables, then seed). */
function ordered(data: ReportData): LoadedRun[] {
  const rank = (a: string) => data.activations.indexOf(a);
  return [...data.selection.runs].sort((a, b) =>
    rank(a.record.activation) - rank(b.record.activation) || a.record.seed - b.record.seed
  );
}

/**
 * Every run of the selection, then the missing and the unused ones.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * runsSection(data);
 * ```
 */
export function runsSection(data: ReportData): string {
  const s = data.selection;
  const lines = [
    "## 4. Runs",
    "",
    table(
      [
        "activation",
        "seed",
        "status",
        "steps",
        "tokens",
        "final train loss",
        "final val loss (mean)",
        "tokens/s",
        "run id",
      ],
      ordered(data).map((r) => {
        // An unfinished run has no final values: show its last ones, marked as such.
        const mark = (v: string) => (r.record.status === "finished" || v === "n/a" ? v : `last: ${v}`);
        return [
          displayName(r.record.activation),
          r.record.seed,
          r.record.status === "finished" ? "finished" : describeStatus(r),
          `${r.record.progress.step} / ${r.record.progress.totalSteps}`,
          tokens(r.record.progress.tokens),
          mark(num(finalTrainLoss(r.metrics))),
          mark(num(runValue(r, "valLoss"))),
          num(r.record.timings.tokensPerSecond, 0),
          code(r.record.runId),
        ];
      }),
    ),
    "",
    "### Missing runs",
    "",
    `Expected: ${s.expected.activations.map(displayName).join(", ")} × seeds ${s.expected.seeds.join(", ")} ` +
    `(${s.expected.source}).`,
    "",
  ];
  if (s.missing.length === 0) lines.push("None: every expected run finished.");
  else {
    lines.push(
      `${s.missing.length} expected run(s) have no usable result; they are left out of every statistic, never filled in:`,
      "",
      table(["activation", "seed", "why"], s.missing.map((m) => [displayName(m.activation), m.seed, m.reason])),
    );
  }
  if (s.excluded.length) {
    lines.push(
      "",
      "### Runs in the results folder not used by this report",
      "",
      table(
        ["activation", "seed", "scale", "status", "why", "run id"],
        s.excluded.map((e) => [
          displayName(e.run.record.activation),
          e.run.record.seed,
          e.run.record.scale,
          e.run.record.status,
          e.reason,
          code(e.run.record.runId),
        ]),
      ),
    );
  }
  return lines.join("\n");
}

function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/**
 * Throughput per run, per activation relative to the baseline, and the
 * benchmark summary when there is one.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * throughputSection(data);
 * ```
 */
export function throughputSection(data: ReportData): string {
  const s = data.selection;
  const lines = [
    "## 5. Throughput",
    "",
    "Training steps only (evaluation and checkpoint time are excluded). The machine may have been shared with other " +
    "work: treat timings as indicative, and use `deno bench` for speed comparisons.",
    "",
    table(
      [
        "run",
        "backend",
        "ms/step",
        "tokens/s (whole run)",
        "median tokens/s per logged step",
        "train s",
        "eval s",
        "resumes",
      ],
      ordered(data).map((r) => {
        const t = r.record.timings;
        const steps = r.record.progress.step;
        return [
          `${displayName(r.record.activation)} s${r.record.seed}`,
          String((r.record.env as { backend?: unknown }).backend ?? "?"),
          steps > 0 ? num((t.trainSeconds * 1000) / steps, 1) : "n/a",
          num(t.tokensPerSecond, 0),
          num(median(r.metrics.map((m) => m.tokensPerSecond)), 0),
          num(t.trainSeconds, 1),
          num(t.evalSeconds, 1),
          t.resumes,
        ];
      }),
    ),
  ];
  const base = data.stats.find((x) => x.activation === s.baseline);
  if (base && base.tokensPerSecond.n > 0) {
    lines.push(
      "",
      table(
        ["activation", "tokens/s (mean [95% CI])", `relative to ${displayName(s.baseline)}`],
        data.stats.filter((x) => x.tokensPerSecond.n > 0).map((x) => [
          displayName(x.activation),
          withInterval(x.tokensPerSecond, 0),
          `${num(x.tokensPerSecond.mean / base.tokensPerSecond.mean, 3)}x`,
        ]),
      ),
    );
  }
  lines.push(...estimateLines(data));
  if (data.bench) {
    lines.push("", `### Benchmarks (${code(data.bench.path)})`, "");
    if (data.bench.problem) lines.push(`The file could not be read: ${data.bench.problem}.`);
    else if (data.bench.entries.length === 0) lines.push("The file lists no benchmark.");
    else {
      lines.push(table(
        ["benchmark", "backend", "activation", "ms/step (median)", "tokens/s", "MFU"],
        data.bench.entries.map((e) => [
          e.name,
          e.backend,
          displayName(e.activation),
          num(e.msPerStepMedian, 2),
          num(e.tokensPerSecond, 0),
          typeof e.mfu === "number" ? `${num(e.mfu * 100, 2)}%` : "n/a",
        ]),
      ));
    }
  }
  return lines.join("\n");
}

/** The planner's estimate and the measured wall time of a run, when its record has them (older records do not). */
function runTime(run: ReportData["selection"]["runs"][number]): { estimated: number | null; wall: number | null } {
  // Read leniently: the fields are optional in the schema, and absent from records written before the planner.
  const t = run.record.timings as { estimatedSeconds?: unknown; wallSeconds?: unknown };
  return {
    estimated: typeof t.estimatedSeconds === "number" ? t.estimatedSeconds : null,
    wall: typeof t.wallSeconds === "number" ? t.wallSeconds : null,
  };
}

/**
 * The planner's estimate against the measured wall time per run (and in total), when the records have both.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * estimateLines(data); // ["", "Estimated vs actual run time ...", "", "| run | ..."]
 * ```
 */
export function estimateLines(data: ReportData): string[] {
  const rows = ordered(data).map((r) => ({ r, ...runTime(r) })).filter((x) => x.estimated !== null && x.wall !== null);
  if (rows.length === 0) return [];
  const ratio = (e: number, w: number) => (e > 0 ? `${num(w / e, 2)}` : "n/a");
  const totalEstimated = rows.reduce((a, x) => a + x.estimated!, 0);
  const totalWall = rows.reduce((a, x) => a + x.wall!, 0);
  return [
    "",
    "Estimated vs actual run time: the planner's estimate for each run before training, and the run's measured wall " +
    "time over all its resumes (actual ÷ estimate: 1 = exact; the planner aims for ±30%).",
    "",
    table(["run", "estimated s", "actual s", "actual ÷ estimate"], [
      ...rows.map((x) => [
        `${displayName(x.r.record.activation)} s${x.r.record.seed}`,
        num(x.estimated!, 1),
        num(x.wall!, 1),
        ratio(x.estimated!, x.wall!),
      ]),
      ["all of these runs", num(totalEstimated, 1), num(totalWall, 1), ratio(totalEstimated, totalWall)],
    ]),
  ];
}
