/**
 * Entry point of `deno task cli`: runs the program and maps errors to exit
 * codes (2 for bad input, with one line and no stack trace).
 * @module
 */
import { exitCodeFor } from "./_errors.ts";
import { buildProgram } from "./program.ts";

/**
 * Runs the CLI with the given arguments and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await runCli(["backend", "--backend", "cpu"]);
 * ```
 */
export async function runCli(args: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(args, { from: "user" });
    return 0;
  } catch (error) {
    return exitCodeFor(error);
  }
}

if (import.meta.main) {
  const code = await runCli(Deno.args);
  Deno.exit(code);
}
