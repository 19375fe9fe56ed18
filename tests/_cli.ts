/**
 * Runs chosen CLI commands the way src/cli/main.ts does, without loading the
 * other commands (and with them tfjs) that a test does not need.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { exitCodeFor } from "../src/cli/_errors.ts";
import { captureConsole } from "./_console.ts";

/** How a command run ended. */
export interface CommandRun {
  /** The exit code main.ts would give. */
  code: number;
  /** Lines printed with console.log. */
  out: string[];
  /** Lines printed with console.error while the command ran. */
  err: string[];
  /** The lines main.ts would print for a thrown error; null when nothing was thrown. */
  failure: string[] | null;
}

/**
 * Builds a program from `adders`, parses `args` (without the program name)
 * with console output captured, and maps a thrown error to an exit code.
 * Commander's own error output is silenced: main.ts prints the one line.
 *
 * @example
 * ```ts
 * import { addParamsCommand } from "../src/cli/commands/params.ts";
 * import { runCommands } from "./_cli.ts";
 * const r = await runCommands([addParamsCommand], ["params", "--json"]);
 * // r.code = 0; JSON.parse(r.out.join("\n")) holds the counts
 * ```
 */
export async function runCommands(adders: Array<(program: Command) => void>, args: string[]): Promise<CommandRun> {
  const program = new Command("polycom").exitOverride().configureOutput({ writeErr: () => {} });
  for (const add of adders) add(program);
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeErr: () => {} });
  const r = await captureConsole(() => program.parseAsync(args, { from: "user" }));
  if (!r.threw) return { code: 0, out: r.out, err: r.err, failure: null };
  const failure: string[] = [];
  return { code: exitCodeFor(r.error, (line) => failure.push(line)), out: r.out, err: r.err, failure };
}
