/**
 * The command-line program: one commander tree that each pipeline stage adds
 * its commands to.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { COMMANDS } from "./commands/mod.ts";

/**
 * Builds a fresh program. Errors are thrown (not printed and exited) so the
 * caller decides the exit code; help still prints to stdout.
 *
 * @example
 * ```ts
 * const program = buildProgram();
 * await program.parseAsync(["node", "polycom", "backend", "--help"]);
 * ```
 */
export function buildProgram(): Command {
  const program = new Command("polycom")
    .description("Reproduce and benchmark the PolyCom paper (arXiv 2411.03884) with TensorFlow.js in Deno.")
    .version("0.1.0")
    .showHelpAfterError(false)
    .configureOutput({ writeErr: () => {} });
  for (const add of COMMANDS) add(program);
  applyToTree(program);
  return program;
}

function applyToTree(command: Command<unknown[], Record<string, unknown>, Record<string, unknown>>): void {
  command.exitOverride();
  // commander prints its own error line before throwing; we print exactly one
  // line ourselves from the thrown error instead.
  command.configureOutput({ writeErr: () => {} });
  for (const sub of command.commands) applyToTree(sub as typeof command);
}
