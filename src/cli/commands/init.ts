import { type Command, Option } from "@commander-js/extra-typings";
import type { ModelConfig } from "../../model/config.ts";
import { PAPER_DENSE_1B, PAPER_MOE_1B7B } from "../../model/build_config.ts";
import { countParameters } from "../../model/counts.ts";
import { readModelConfigFile, writeInitialCheckpoint } from "../../model/checkpoint/mod.ts";
import { UsageError } from "../../util/errors.ts";

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(seed)) {
    throw new UsageError(`--seed must be a non-negative integer, got '${value}'`);
  }
  return seed;
}

/**
 * `init`: writes a freshly initialised Hugging Face checkpoint for a config.json.
 *
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * const program = new Command("polycom");
 * addInitCommand(program); // deno task cli init --config c.json --seed 0 --out ckpt
 * ```
 */
export function addInitCommand(program: Command): void {
  program.command("init")
    .description("write a freshly initialised checkpoint (config.json + model.safetensors) for a model config")
    .option("--config <file>", "model config.json (Hugging Face keys)")
    .addOption(new Option("--paper <family>", "a paper config instead of --config").choices(["dense", "moe"] as const))
    .option("--activation <name>", "activation of the --paper config", "swiglu")
    .requiredOption("--out <dir>", "checkpoint directory to write (replaced atomically)")
    .option("--seed <n>", "initialisation seed", parseSeed, 0)
    .action(async (options) => {
      if (!options.config === !options.paper) {
        throw new UsageError("give exactly one of --config FILE or --paper dense|moe");
      }
      let config: ModelConfig;
      if (options.config) config = await readModelConfigFile(options.config);
      else config = (options.paper === "dense" ? PAPER_DENSE_1B : PAPER_MOE_1B7B)(options.activation);
      await writeInitialCheckpoint(options.out, config, options.seed);
      const counts = countParameters(config);
      console.log(`wrote ${options.out}: ${counts.total.toLocaleString("en-US")} parameters, seed ${options.seed}`);
    });
}
