import { type Command, Option } from "@commander-js/extra-typings";
import { BACKEND_CHOICES, initBackend } from "../../backend/mod.ts";
import { loadCheckpoint } from "../../model/checkpoint/mod.ts";
import { modelScorer } from "../../model/scorer.ts";
import { UsageError } from "../../util/errors.ts";
import { readJsonFile } from "../../util/json_file.ts";

async function readTokens(path: string): Promise<number[][]> {
  const json = await readJsonFile(path, "tokens file");
  if (!Array.isArray(json) || !json.every((seq) => Array.isArray(seq) && seq.every((t) => Number.isInteger(t)))) {
    throw new UsageError(`${path}: expected a JSON array of token-id arrays, e.g. [[1, 2, 3]]`);
  }
  return json as number[][];
}

/**
 * `score`: next-token log-probabilities of token sequences under a checkpoint.
 *
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * const program = new Command("polycom");
 * addScoreCommand(program); // deno task cli score --checkpoint ckpt --tokens t.json
 * ```
 */
export function addScoreCommand(program: Command): void {
  program.command("score")
    .description('print {"logprobs": number[][]}: log p(token t+1 | tokens ≤ t) for each sequence')
    .requiredOption("--checkpoint <dir>", "checkpoint directory (config.json + model.safetensors)")
    .requiredOption("--tokens <file>", "JSON array of token-id arrays")
    .addOption(new Option("--backend <name>", "tfjs backend").choices(BACKEND_CHOICES).default("auto" as const))
    .action(async (options) => {
      const sequences = await readTokens(options.tokens);
      await initBackend(options.backend);
      const { model } = await loadCheckpoint(options.checkpoint);
      try {
        const logprobs = await modelScorer(model).logprobs(sequences);
        console.log(JSON.stringify({ logprobs }));
      } finally {
        model.dispose();
      }
    });
}
