import { type Command, Option } from "@commander-js/extra-typings";
import { readModelConfigFile } from "../../model/checkpoint/mod.ts";
import { activationOf, type ModelConfig } from "../../model/config.ts";
import { PAPER_DENSE_1B, PAPER_MOE_1B7B } from "../../model/build_config.ts";
import { countParameters, flopsPerToken } from "../../model/counts.ts";
import { UsageError } from "../../util/errors.ts";

const PAPER_ACTIVATIONS = {
  dense: ["polynorm", "polyrelu", "swiglu", "gelu", "relu", "relu2"],
  moe: ["polynorm", "swiglu"],
} as const;

interface Row {
  model: string;
  activation: string;
  seqLen: number;
  total: number;
  active: number;
  embedding: number;
  nonEmbedding: number;
  flopsPerToken: number;
}

function row(model: string, config: ModelConfig, seqLen?: number): Row {
  const s = seqLen ?? config.max_position_embeddings;
  return {
    model,
    activation: activationOf(config).name,
    seqLen: s,
    ...countParameters(config),
    flopsPerToken: flopsPerToken(config, s),
  };
}

function approx(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n.toLocaleString("en-US");
}

function table(rows: Row[]): string {
  const exact = (n: number) => `${n.toLocaleString("en-US")} (${approx(n)})`;
  const lines = [
    "| model | activation | total | active | embedding | non-embedding | training FLOPs/token (seq) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) =>
      `| ${r.model} | ${r.activation} | ${exact(r.total)} | ${exact(r.active)} | ${exact(r.embedding)} | ` +
      `${exact(r.nonEmbedding)} | ${(r.flopsPerToken / 1e9).toFixed(3)} G (${r.seqLen}) |`
    ),
    "",
    "FLOPs/token = 6·(matmul weights per token, lm_head included, embedding excluded) + 12·layers·seq·hidden.",
  ];
  return lines.join("\n");
}

function parseSeqLen(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--seq-len must be a positive integer, got '${value}'`);
  return n;
}

/**
 * `params`: parameter counts and FLOPs per token of the paper's configs or any config.json.
 *
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * const program = new Command("polycom");
 * addParamsCommand(program); // deno task cli params --paper moe
 * ```
 */
export function addParamsCommand(program: Command): void {
  program.command("params")
    .description("print parameter counts and training FLOPs per token (paper configs by default)")
    .option("--config <file>", "a model config.json")
    .addOption(new Option("--paper <family>", "a paper config").choices(["dense", "moe"] as const))
    .option("--activation <name>", "activation of the paper config (default: all the paper compared)")
    .option("--seq-len <n>", "sequence length for the attention FLOPs (default: max_position_embeddings)", parseSeqLen)
    .option("--json", "print JSON instead of a table", false)
    .action(async (options) => {
      if (options.config && (options.paper || options.activation)) {
        throw new UsageError("--config cannot be combined with --paper or --activation");
      }
      const rows: Row[] = [];
      if (options.config) {
        rows.push(row(options.config, await readModelConfigFile(options.config), options.seqLen));
      } else {
        const families = options.paper ? [options.paper] : (["dense", "moe"] as const);
        for (const family of families) {
          const build = family === "dense" ? PAPER_DENSE_1B : PAPER_MOE_1B7B;
          const name = family === "dense" ? "paper dense 1B" : "paper MoE 1B/7B";
          const activations = options.activation ? [options.activation] : PAPER_ACTIVATIONS[family];
          for (const activation of activations) rows.push(row(name, build(activation), options.seqLen));
        }
      }
      console.log(options.json ? JSON.stringify(rows, null, 2) : table(rows));
    });
}
