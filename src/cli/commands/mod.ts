import type { Command } from "@commander-js/extra-typings";
import { addBackendCommand } from "./backend.ts";
import { addDataCommand } from "./data.ts";
import { addEvalCommand } from "./eval.ts";
import { addInitCommand } from "./init.ts";
import { addParamsCommand } from "./params.ts";
import { addScoreCommand } from "./score.ts";
import { addGateCommand } from "./gate.ts";
import { addGpuCheckCommand } from "./gpu_check.ts";
import { addReportCommand } from "./report.ts";
import { addReproduceCommand } from "./reproduce.ts";

/** Every top-level command, in the order `--help` lists them. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  addReproduceCommand,
  addReportCommand,
  addGateCommand,
  addGpuCheckCommand,
  addBackendCommand,
  addDataCommand,
  addInitCommand,
  addScoreCommand,
  addParamsCommand,
  addEvalCommand,
];
