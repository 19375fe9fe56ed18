/**
 * Markdown for the scope and method sections: what is tested, the setup
 * beside the paper's, the scale-down manifest, the hardware fingerprint,
 * seeds, definitions and the verdict rule, and the code version.
 * @module
 */
import { displayName, loadPublished } from "../published/mod.ts";
import type { LoadedRun } from "../results/mod.ts";
import type { ReportData } from "./data.ts";
import { code, count, table, tokens } from "./_format.ts";
import { getPath } from "./_path.ts";
import { VERDICT_RULE } from "../judge/verdict.ts";
import { comparisonLevel, levelText } from "../judge/pilot_level.ts";
import { INTERVAL_LEVEL } from "../judge/stats.ts";
import { FINAL_LOSS_WINDOW } from "../results/summary.ts";

/** The final-loss and smoothing window as the report states it ("5%"). */
const WINDOW = `${Math.round(FINAL_LOSS_WINDOW * 100)}%`;

/** Claims of the paper no suite tests, said once in every report's scope. */
const NOT_TESTED = [
  "the choice of polynomial order r (the suites use r = 3, as the paper does everywhere)",
  "the composition-function ablation and Type I vs Type II beyond PolyReLU and PolyNorm",
  "effective rank of the FFN weights and layer-wise similarity (no numbers were published)",
  "the approximation-theory results (no experiment in the paper)",
];

function scalar(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * The scope section.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * scopeSection(data);
 * ```
 */
export function scopeSection(data: ReportData): string {
  const source = loadPublished().source;
  const lines = [
    "## 1. Scope",
    "",
    `Paper: _${source.title}_ (arXiv ${source.arxiv_id}, ${source.venue}); code ${source.code}.`,
    `Published experiment reproduced: ${code(data.selection.experiment)}${data.paper ? ` (${data.paper.title})` : ""}.`,
    `Activations in this suite: ${data.activations.map(displayName).join(", ")}; baseline ${
      displayName(data.selection.baseline)
    }.`,
    "",
    "Claims tested (details and published numbers in section 3):",
    "",
  ];
  data.claims.forEach((r, i) => lines.push(`${i + 1}. ${code(r.claim.id)}: ${r.claim.text}`));
  if (data.claims.length === 0) {
    lines.push(`- none: the registry has no claim for experiment ${code(data.selection.experiment)}`);
  }
  lines.push("", "Not tested by any suite:", "", ...NOT_TESTED.map((t) => `- ${t}`));
  return lines.join("\n");
}

function setupTable(data: ReportData): string {
  const run = data.selection.usable[0] ?? data.selection.runs[0];
  const c = run.record.config;
  const byActivation = data.activations.map((a) => data.selection.runs.find((r) => r.record.activation === a)).filter(
    (r): r is LoadedRun => r !== undefined,
  );
  const rows: string[][] = [];
  const push = (what: string, value: unknown) => {
    const text = scalar(value);
    if (text) rows.push([what, text]);
  };
  push("family", getPath(c, "family"));
  push("scale", data.selection.scale);
  push("token budget per run", tokens(run.record.progress.totalTokens));
  push("optimizer steps", getPath(c, "train.steps") ?? run.record.progress.totalSteps);
  push("batch × sequence", `${scalar(getPath(c, "train.batchSize"))} × ${scalar(getPath(c, "train.seqLen"))}`);
  push("tokens per step", getPath(c, "train.tokensPerStep"));
  push("peak lr", getPath(c, "optimizer.lrPeak"));
  push("lr floor (fraction of peak)", getPath(c, "optimizer.lrMinFraction"));
  push("warmup (fraction of tokens)", getPath(c, "optimizer.warmupFraction"));
  push("cosine horizon (× budget)", getPath(c, "optimizer.cosineHorizon"));
  push("weight decay", getPath(c, "optimizer.weightDecay"));
  push("gradient clip", getPath(c, "optimizer.gradClip"));
  push("training data (weights)", getPath(c, "data.train"));
  push("validation sources", data.sources.join(", ") || getPath(c, "data.validation"));
  push("zero-shot tasks", data.tasks.join(", "));
  push("tokenizer", getPath(c, "data.tokenizer"));
  push("data seed (same for all runs)", getPath(c, "data.dataSeed"));
  for (const r of byActivation) {
    const counts = r.record.counts;
    const tpp = counts.total > 0 ? (r.record.progress.totalTokens / counts.total).toFixed(1) : "n/a";
    push(
      `parameters, ${displayName(r.record.activation)}`,
      `${count(counts.total)} total, ${count(counts.active)} active, ${
        count(counts.nonEmbedding)
      } non-embedding; ${tpp} tokens/parameter; ${count(counts.flopsPerToken)} FLOPs/token`,
    );
  }
  return table(["setting", "value"], rows);
}

function modelTable(data: ReportData): string {
  const runs = data.activations.map((a) => data.selection.runs.find((r) => r.record.activation === a)).filter(
    (r): r is LoadedRun => r !== undefined,
  );
  const models = runs.map((r) => (getPath(r.record.config, "model") ?? {}) as Record<string, unknown>);
  const keys = [...new Set(models.flatMap((m) => Object.keys(m)))].filter((k) =>
    models.some((m) => m[k] !== null && typeof m[k] !== "object")
  );
  if (keys.length === 0) return "";
  return table(
    ["model config (Hugging Face keys)", ...runs.map((r) => displayName(r.record.activation))],
    keys.map((k) => [
      code(k),
      ...models.map((m) => scalar(m[k])),
    ]),
  );
}

function manifestSection(data: ReportData): string {
  const run = data.selection.usable[0] ?? data.selection.runs[0];
  const manifest = getPath(run.record.config, "manifest");
  const lines = ["### 2.2 Scale-down manifest", ""];
  if (manifest === undefined || manifest === null) {
    lines.push("The runs carry no scale-down manifest.");
    return lines.join("\n");
  }
  const entries = getPath(manifest, "entries");
  const notes = getPath(manifest, "notes");
  if (Array.isArray(entries)) {
    lines.push(
      `What the ${data.selection.scale} scale keeps of the paper's recipe and what it changes, as written in the suite:`,
      "",
    );
    const applies = entries.filter((e) => {
      const scales = getPath(e, "scales");
      return !Array.isArray(scales) || scales.includes(data.selection.scale);
    });
    lines.push(table(
      ["what", "paper", "here", "kept", "why"],
      applies.map((e) =>
        [
          getPath(e, "what"),
          getPath(e, "paper"),
          getPath(e, "here"),
          getPath(e, "kept") ? "yes" : "no",
          getPath(e, "why"),
        ].map(scalar)
      ),
    ));
    if (typeof notes === "string" && notes) lines.push("", `Scale notes: ${notes}`);
  } else if (typeof manifest === "string") {
    lines.push(manifest);
  } else {
    lines.push("```json", JSON.stringify(manifest, null, 2), "```");
  }
  return lines.join("\n");
}

function fingerprint(env: Record<string, unknown>): string[][] {
  const rows: string[][] = [];
  const add = (what: string, value: unknown) => {
    const text = scalar(value);
    if (text) rows.push([what, text]);
  };
  add("backend", getPath(env, "backend"));
  const adapter = getPath(env, "adapter");
  add(
    "WebGPU adapter",
    adapter
      ? `${scalar(getPath(adapter, "description")) || scalar(getPath(adapter, "device"))} (${
        scalar(getPath(adapter, "vendor"))
      }${getPath(adapter, "isFallback") ? ", software" : ""})`
      : "none",
  );
  const wasm = getPath(env, "wasm");
  if (wasm) {
    add("wasm", `SIMD ${getPath(wasm, "simd") ? "on" : "off"}, threads ${getPath(wasm, "threads") ? "on" : "off"}`);
  }
  add("CPU", `${scalar(getPath(env, "cpu.model"))} (${scalar(getPath(env, "cpu.cores"))} cores)`);
  add("memory (GiB)", getPath(env, "memoryGiB"));
  add("OS", [getPath(env, "os.platform"), getPath(env, "os.release"), getPath(env, "os.arch")].map(scalar).join(" "));
  const versions = getPath(env, "versions");
  if (versions && typeof versions === "object") {
    add("versions", Object.entries(versions).map(([k, v]) => `${k} ${scalar(v)}`).join(", "));
  }
  return rows;
}

function environmentSection(data: ReportData): string {
  const groups = new Map<string, LoadedRun[]>();
  for (const run of data.selection.runs) {
    const key = JSON.stringify(fingerprint(run.record.env));
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const lines = ["### 2.3 Hardware and software", ""];
  if (groups.size > 1) {
    lines.push(
      `The runs come from ${groups.size} different environments (e.g. merged shards); each is listed with its runs.`,
      "",
    );
  }
  for (const [key, runs] of groups) {
    if (groups.size > 1) {
      lines.push(`Runs: ${runs.map((r) => `${displayName(r.record.activation)} s${r.record.seed}`).join(", ")}`, "");
    }
    lines.push(table(["environment", "value"], JSON.parse(key)), "");
  }
  return lines.join("\n").trimEnd();
}

function codeSection(data: ReportData): string {
  const versions = new Map<string, number>();
  for (const run of data.selection.runs) {
    const c = run.record.code;
    const key = `${c.commit.slice(0, 12)}${c.dirty ? " (dirty)" : ""}, source hash ${c.sourceHash.slice(0, 12)}`;
    versions.set(key, (versions.get(key) ?? 0) + 1);
  }
  const lines = ["### 2.6 Code version", ""];
  for (const [v, n] of versions) lines.push(`- ${code(v)}: ${n} run(s)`);
  if (versions.size > 1) {
    lines.push(
      "",
      "**The runs were produced by different code versions**; differences between them may come from the code.",
    );
  }
  return lines.join("\n");
}

/** The sentence on a pilot-chosen pair's interval level; empty when no pilot chose the seed count. */
function pilotIntervals(data: ReportData): string {
  const choice = data.selection.expected.seedChoice;
  const level = choice?.pair ? comparisonLevel(choice, ...choice.pair) : INTERVAL_LEVEL;
  if (!choice?.pair || level === INTERVAL_LEVEL) return "";
  const [a, b] = choice.pair.map(displayName);
  return ` The ${a} − ${b} intervals are ${
    levelText(level)
  } intervals, because the planner chose their seed count from a ` +
    "pilot's paired SD and 95% would then exclude 0 more often than 5% of the time without an effect (see the " +
    "verdict rule).";
}

/**
 * The method section.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * methodSection(data);
 * ```
 */
export function methodSection(data: ReportData): string {
  const seeds = data.selection.expected.seeds;
  const model = modelTable(data);
  return [
    "## 2. Method",
    "",
    "### 2.1 Setup",
    "",
    setupTable(data),
    ...(model ? ["", model] : []),
    "",
    manifestSection(data),
    "",
    environmentSection(data),
    "",
    "### 2.4 Seeds and pairing",
    "",
    `Seeds: ${
      seeds.join(", ") || "none"
    } (${data.selection.expected.source}). Every activation is trained once per seed. ` +
    "The seed sets the model's initialisation; the data order is fixed by the suite's data seed and is the same for every " +
    "run, so runs with the same seed differ only in the activation. Comparisons are therefore paired by seed.",
    "",
    "### 2.5 Definitions, statistics and the verdict rule",
    "",
    `- **Final training loss**: the mean training cross-entropy over the last ${WINDOW} of logged steps (at least one step); ` +
    "auxiliary MoE losses are excluded.",
    '- **Final validation loss**: the last evaluation\'s cross-entropy on each held-out source; "mean over sources" ' +
    "weights every source equally.",
    '- **Accuracy**: the last evaluation\'s zero-shot accuracy per task (fraction correct); "mean over tasks" weights ' +
    "every task equally. Each task states its chance level (a uniform guess: 1/4 for a four-way choice); a task is " +
    "**above chance** at this size when some activation's 95% Wilson interval over its runs' items lies wholly above it.",
    `- **Speed-up**: training curves are smoothed by a trailing mean over ${WINDOW} of logged steps (so the smoothed curve ends ` +
    "at the final training loss). For a seed, the speed-up of an activation over the baseline is the baseline's final " +
    "tokens ÷ the token count from which on the activation's smoothed curve stays at or below the baseline's final " +
    "value (linear interpolation between logged points; a dip on an easy batch that does not last is not a crossing). If the activation never reaches it, the speed-up is the tokens the " +
    "baseline needs to reach the activation's final value ÷ the activation's final tokens (< 1), so no curve is " +
    "extrapolated. Validation speed-ups use the evaluation curve (mean over sources) without smoothing.",
    "- **Intervals**: 95% Student-t intervals of the mean over seeds (mean ± t(0.975, n−1)·sd/√n); paired intervals use " +
    "the per-seed differences; speed-up intervals are computed on ln(speed-up) and shown exponentiated." +
    pilotIntervals(data),
    "",
    `**Verdict rule.** ${VERDICT_RULE}`,
    "",
    codeSection(data),
  ].join("\n");
}
