import { type Command, Option } from "@commander-js/extra-typings";
import { BACKEND_CHOICES, initBackend } from "../../backend/mod.ts";
import { DEFAULT_CACHE_DIR } from "../../data/cache.ts";
import { BARE_CHECKPOINT_DEFAULTS, resolveCheckpointEval } from "../../eval/checkpoint_settings.ts";
import { EVAL_BATCH_SEQUENCES, type EvalResult, evaluate } from "../../eval/evaluate.ts";
import { openEvalSet } from "../../eval/eval_set.ts";
import { loadCheckpoint, readCheckpointConfig } from "../../model/checkpoint/mod.ts";
import { modelScorer } from "../../model/scorer.ts";
import { UsageError } from "../../util/errors.ts";

function intParser(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
    }
    return n;
  };
}

function parseList(value: string): string[] {
  const names = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) throw new UsageError("--sources names no source");
  return names;
}

/** The trainer state's step and token count, when the checkpoint has them. */
function progressOf(state: unknown): { step: number | null; tokens: number | null } {
  const s = (state ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return { step: num(s.step), tokens: num(s.tokens) };
}

function table(header: string, result: EvalResult): string {
  const f = (x: number | null, digits = 4) => (x === null ? "-" : x.toFixed(digits));
  const lines = [
    header,
    "",
    "| source | loss (nats/token) | perplexity | bits/byte | next-token acc | tokens |",
    "| --- | --- | --- | --- | --- | --- |",
    ...Object.entries(result.sources).map(([name, m]) =>
      `| ${name} | ${f(m.loss)} | ${f(m.ppl, 2)} | ${f(m.bitsPerByte)} | ${f(m.accuracy)} | ` +
      `${m.tokens.toLocaleString("en-US")} |`
    ),
  ];
  const tasks = Object.entries(result.tasks);
  if (tasks.length > 0) {
    lines.push(
      "",
      "| task | acc | acc_norm | items | items checksum |",
      "| --- | --- | --- | --- | --- |",
      ...tasks.map(([name, t]) =>
        `| ${name} | ${f(t.acc)} | ${f(t.accNorm)} | ${t.n} | ${t.itemsChecksum.slice(0, 16)} |`
      ),
    );
  }
  return lines.join("\n");
}

/**
 * `eval`: validation loss, perplexity, bits per byte, next-token accuracy
 * and zero-shot tasks of a checkpoint, with the data settings of its run.
 *
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * const program = new Command("polycom");
 * addEvalCommand(program); // deno task cli eval --checkpoint results/dense/<run>/checkpoint
 * ```
 */
export function addEvalCommand(program: Command): void {
  // Long because the command is one commander chain: every flag with its help text, then the action.
  program.command("eval")
    .description(
      "evaluate a checkpoint: per-source validation loss, perplexity, bits/byte, next-token accuracy, " +
        "task acc / acc_norm (settings from the run's run.json when the checkpoint has one)",
    )
    .requiredOption("--checkpoint <dir>", "checkpoint directory (config.json + model.safetensors)")
    .addOption(new Option("--backend <name>", "tfjs backend").choices(BACKEND_CHOICES).default("auto" as const))
    .option("--run <dir>", "run directory whose run.json gives the data settings (default: the checkpoint's parent)")
    .option(
      "--tokenizer <spec>",
      "byte | bpe:N | path to a tokenizer.json (default: tokenizer.json saved with the checkpoint, the run's, or byte)",
    )
    .option(
      "--sources <list>",
      `validation sources, comma-separated (bare default: ${BARE_CHECKPOINT_DEFAULTS.sources})`,
      parseList,
    )
    .option("--seq-len <n>", "window length (default: the run's, else the model's context)", intParser("--seq-len", 2))
    .option(
      "--val-tokens <n>",
      `validation tokens per source (bare default: ${BARE_CHECKPOINT_DEFAULTS.valTokens})`,
      intParser("--val-tokens", 1),
    )
    .option(
      "--items <n>",
      `items per zero-shot task, 0 for none (bare default: ${BARE_CHECKPOINT_DEFAULTS.taskItems})`,
      intParser("--items", 0),
    )
    .option("--item-seed <n>", "seed of the task item sets (the runner uses 0)", intParser("--item-seed", 0))
    .option(
      "--batch-size <n>",
      "sequences per scorer call (the runner's by default, so a run's checkpoint scores as its eval.jsonl)",
      intParser("--batch-size", 1),
      EVAL_BATCH_SEQUENCES,
    )
    .option("--cache-dir <dir>", "data cache directory", DEFAULT_CACHE_DIR)
    .option("--json", "print JSON instead of tables", false)
    .action(async (options) => {
      // Validate everything that reads files before starting a backend.
      const config = await readCheckpointConfig(options.checkpoint);
      const settings = await resolveCheckpointEval(
        options.checkpoint,
        { vocabSize: config.vocab_size, maxPositions: config.max_position_embeddings },
        {
          tokenizer: options.tokenizer,
          sources: options.sources,
          seqLen: options.seqLen,
          valTokens: options.valTokens,
          taskItems: options.items,
          itemSeed: options.itemSeed,
          runDir: options.run,
        },
        { cacheDir: options.cacheDir, log: (line) => console.error(line) },
      );
      const evalSet = await openEvalSet(settings);
      await initBackend(options.backend);
      const { model, trainerState } = await loadCheckpoint(options.checkpoint);
      let result: EvalResult;
      try {
        result = await evaluate(modelScorer(model), evalSet, { batchSize: options.batchSize });
      } finally {
        model.dispose();
      }
      const { step, tokens } = progressOf(trainerState);
      const used = {
        tokenizer: settings.tokenizerName,
        sources: settings.sources,
        seqLen: settings.seqLen,
        valTokens: settings.valTokens,
        taskItems: settings.taskItems,
        itemSeed: settings.itemSeed,
        runRecord: settings.runRecord,
      };
      if (options.json) {
        console.log(
          JSON.stringify({ checkpoint: options.checkpoint, step, tokens, settings: used, ...result }, null, 2),
        );
        return;
      }
      const at = step === null
        ? ""
        : ` at step ${step}${tokens === null ? "" : ` (${tokens.toLocaleString("en-US")} tokens)`}`;
      const header = `${options.checkpoint}${at}: tokenizer ${used.tokenizer}, window ${used.seqLen}, ` +
        `settings from ${used.runRecord ?? "flags and bare-checkpoint defaults"}`;
      console.log(table(header, result));
    });
}
