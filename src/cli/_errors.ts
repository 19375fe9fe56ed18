import { CommanderError } from "@commander-js/extra-typings";
import { UsageError } from "../util/errors.ts";

/**
 * Turns anything thrown by a command into an exit code, printing one line
 * for user errors and the stack only for bugs.
 */
export function exitCodeFor(error: unknown, print: (line: string) => void = console.error): number {
  if (error instanceof CommanderError) {
    // Help and version are "errors" in commander's exitOverride mode.
    if (error.exitCode === 0) return 0;
    print(error.message.replace(/^error: /, "error: "));
    return 2;
  }
  if (error instanceof UsageError) {
    print(`error: ${error.message}`);
    return error.exitCode;
  }
  print(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return 1;
}
