/**
 * Markdown for the deviations from the paper and the caveats, computed from
 * the runs (what differs is read from their configs, never assumed).
 * @module
 */
import { displayName, loadPublished, PROVENANCE_TAGS } from "../published/mod.ts";
import type { ReportData } from "./data.ts";
import { count, tokens } from "./_format.ts";
import { getPath } from "./_path.ts";

/** What the report says about one published experiment's setup, beside ours. */
interface ExperimentNotes {
  /** The paper's model size and training tokens. */
  scale: string;
  /** The paper's training data and tokenizer. */
  data: string;
  validation: string;
  tasks: string;
  /** The paper's training software. */
  software: string;
  /** Caveats only this experiment has. */
  caveats: string[];
}

/**
 * Notes per published experiment, keyed by its id: an experiment without an entry gets no paper-side notes (never
 * another experiment's).
 */
const EXPERIMENT_NOTES: Partial<Record<string, ExperimentNotes>> = {
  dense_1B: {
    scale: "≈1.35B parameters on 250B tokens",
    data: "RedPajama-1T with the Llama tokenizer",
    validation: "an undocumented validation set reported as 'PPL'",
    tasks: "six tasks (HellaSwag and ARC-Easy plotted)",
    software: "Megatron-LM",
    caveats: [
      "**The dense 'Validation PPL' is undocumented.** The plotted values (≈3.2) cannot be exp(training loss) (≈8.8), " +
      "and the validation set is not stated; only its ordering is compared.",
    ],
  },
  moe_1B_active_7B_total: {
    scale: "≈6.9B total / ≈1.3B active on 200B tokens",
    data: "OLMoE-mix-0924 with the GPT-NeoX-OLMo tokenizer",
    validation: "11 sets, of which C4 and Wikipedia are plotted",
    tasks: "nine tasks (HellaSwag, MMLU-Var, ARC-Challenge, SciQ plotted)",
    software: "OLMo/megablocks",
    caveats: [
      "**MoE evaluation arrays.** In the paper's MoE figures the SwiGLU series skip step 38k and repeat step 48k, so " +
      "SwiGLU's last values may be shifted by one evaluation (4.19B tokens).",
    ],
  },
};

/**
 * The experiments that have report notes (tests check every shipped suite's experiment has them).
 *
 * @example
 * ```ts
 * experimentsWithNotes(); // ["dense_1B", "moe_1B_active_7B_total"]
 * ```
 */
export function experimentsWithNotes(): string[] {
  return Object.keys(EXPERIMENT_NOTES);
}

/**
 * The deviations section.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * deviationsSection(data);
 * ```
 */
export function deviationsSection(data: ReportData): string {
  const run = data.selection.usable[0] ?? data.selection.runs[0];
  const r = run.record;
  const notes = EXPERIMENT_NOTES[data.selection.experiment];
  const paperTokens = data.paper?.budgetTokens ?? NaN;
  const items: string[] = [];
  items.push(
    `**Scale.** ${count(r.counts.total)} parameters (${count(r.counts.active)} active) trained on ${
      tokens(r.progress.totalTokens)
    } tokens` +
      (notes ? `, against the paper's ${notes.scale}` : "") +
      `${
        Number.isFinite(paperTokens)
          ? ` (${(paperTokens / Math.max(1, r.progress.totalTokens)).toExponential(1)}× more tokens)`
          : ""
      }.`,
  );
  const tokenizer = getPath(r.config, "data.tokenizer");
  items.push(
    `**Data and tokenizer.** Ours: ${JSON.stringify(getPath(r.config, "data.train") ?? "?")}, tokenizer ${
      JSON.stringify(tokenizer ?? "?")
    }. ` +
      (notes ? `Paper: ${notes.data}. ` : "") +
      "Losses are therefore not comparable in absolute value (a byte-level loss is per byte, a BPE loss per word piece).",
  );
  items.push(
    `**Validation sets.** Ours: ${data.sources.join(", ") || "none"} (held-out splits of our training sources).${
      notes ? ` Paper: ${notes.validation}.` : ""
    }`,
  );
  items.push(
    `**Downstream tasks.** Ours: ${data.tasks.join(", ") || "none"} (small zero-shot tasks built from our data).${
      notes ? ` Paper: ${notes.tasks}.` : ""
    } Only directions are compared, and only where some model scores above a task's chance level (section 3).`,
  );
  items.push(
    `**Numerics and software.** TensorFlow.js ${String(getPath(r.env, "versions.tfjs") ?? "")} on the ${
      String(getPath(r.env, "backend") ?? "?")
    } backend in float32${notes ? `; the paper trained in bf16 with ${notes.software} on GPUs` : ""}.`,
  );
  items.push(
    `**Seeds.** ${data.selection.expected.seeds.length} seed(s) per activation here; the paper reports one run per activation.`,
  );
  const manifest = getPath(r.config, "manifest.entries");
  if (Array.isArray(manifest)) {
    for (const entry of manifest) {
      const scales = getPath(entry, "scales");
      if (getPath(entry, "kept") === false && (!Array.isArray(scales) || scales.includes(data.selection.scale))) {
        items.push(
          `**${String(getPath(entry, "what"))}** (from the manifest). Paper: ${
            String(getPath(entry, "paper"))
          }; here: ${String(getPath(entry, "here"))}. Why: ${String(getPath(entry, "why"))}`,
        );
      }
    }
  }
  return ["## 6. Deviations from the paper", "", ...items.map((i) => `- ${i}`)].join("\n");
}

/**
 * The caveats section.
 *
 * @example
 * ```ts
 * import type { ReportData } from "./data.ts";
 * declare const data: ReportData;
 * caveatsSection(data);
 * ```
 */
export function caveatsSection(data: ReportData): string {
  const s = data.selection;
  const items: string[] = [];
  if (s.scale === "smoke") {
    items.push(
      "**Smoke scale.** These runs exist to test the pipeline; their numbers say nothing about the paper's claims.",
    );
  }
  const seedsPerActivation = data.stats.map((x) => x.seeds.length);
  if (seedsPerActivation.some((n) => n < 2)) {
    items.push(
      "**Single seeds.** Some activations have fewer than two finished seeds; comparisons involving them are point estimates without an interval: not judged.",
    );
  }
  items.push(
    "**The paper's numbers are single runs without error bars** (reviewers raised this). Differences of 0.01–0.02 nats " +
      "between activations may be within the paper's own seed-to-seed noise.",
  );
  items.push(...(EXPERIMENT_NOTES[s.experiment]?.caveats ?? []));
  items.push(
    "**Digitised numbers.** Published values are read from the authors' SVG figures (exact vertices, 6 significant " +
      "digits); whether the plotted losses were smoothed before plotting is unknown. The paper's tables were not available.",
  );
  items.push(
    "**Multiple comparisons.** Each comparison uses its own 95% interval without correction; across many comparisons " +
      "some will exclude 0 by chance.",
  );
  items.push(
    "**Speed-ups depend on smoothing and the schedule.** Our runs end on a decaying cosine like the dense paper runs, " +
      "but the MoE paper runs used a nearly constant learning rate; a speed-up measured at the end of a decayed schedule " +
      "is not the same quantity.",
  );
  const codes = new Set(s.runs.map((r) => `${r.record.code.commit}/${r.record.code.sourceHash}`));
  if (codes.size > 1) items.push("**Mixed code versions.** The runs were produced by different versions of the code.");
  const dirty = s.runs.some((r) => r.record.code.dirty);
  if (dirty) {
    items.push("**Uncommitted code.** At least one run was produced from a working tree with uncommitted changes.");
  }
  if (s.runs.some((r) => r.record.timings.resumes > 0)) {
    items.push(
      "**Resumed runs.** Some runs were resumed from a checkpoint; results match an uninterrupted run on the same backend by design, but their timings include the restart.",
    );
  }
  const missing = s.missing.length;
  if (missing) {
    items.push(
      `**Missing runs.** ${missing} expected run(s) are missing or unfinished (section 4); verdicts use only finished runs.`,
    );
  }
  const diverged = s.runs.filter((r) => r.record.status === "diverged");
  if (diverged.length) {
    items.push(
      `**Divergence.** ${diverged.length} run(s) diverged (loss NaN or infinite): ${
        diverged.map((r) =>
          `${displayName(r.record.activation)} s${r.record.seed} at step ${r.record.divergedAtStep ?? "?"}`
        )
          .join(", ")
      }. They are excluded from the statistics; divergence may itself be a finding about stability.`,
    );
  }
  return ["## 7. Caveats", "", ...items.map((i) => `- ${i}`)].join("\n");
}

/**
 * The provenance legend and where the paper data comes from.
 *
 * @example
 * ```ts
 * provenanceAppendix();
 * ```
 */
export function provenanceAppendix(): string {
  const p = loadPublished();
  return [
    "## Appendix: provenance of the paper's numbers",
    "",
    `Published values come from \`src/published/data/\` (paper package schema ${p.schema_version}, copied unchanged; ` +
    "see its README). Tags:",
    "",
    ...PROVENANCE_TAGS.map((t) => `- \`[${t.tag}]\` ${t.meaning}`),
    "",
    `Not available in the published material: ${p.missing.length} items, e.g. ${p.missing[0]}`,
  ].join("\n");
}
