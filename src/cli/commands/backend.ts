import { type Command, Option } from "@commander-js/extra-typings";
import { BACKEND_CHOICES, initBackend } from "../../backend/mod.ts";

/** `backend`: starts a backend and prints its environment fingerprint. */
export function addBackendCommand(program: Command): void {
  program.command("backend")
    .description("start a tfjs backend and print the environment fingerprint as JSON")
    .addOption(new Option("--backend <name>", "backend to start").choices(BACKEND_CHOICES).default("auto" as const))
    .action(async (options) => {
      const info = await initBackend(options.backend);
      console.log(JSON.stringify(info, null, 2));
    });
}
