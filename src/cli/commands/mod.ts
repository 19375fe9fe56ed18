import type { Command } from "@commander-js/extra-typings";
import { addBackendCommand } from "./backend.ts";

/** Every top-level command, in the order `--help` lists them. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  addBackendCommand,
];
