import { type Command, Option } from "@commander-js/extra-typings";
import { BACKEND_CHOICES } from "../../backend/mod.ts";
import { formatDryRun } from "../../runner/dry_run.ts";
import { parseScale, parseSeeds, parseShard, SCALE_CHOICES } from "../../runner/options.ts";
import { DEFAULT_SUITES, reproduce } from "../../runner/reproduce.ts";
import { writeReports } from "../../report/mod.ts";

/** `reproduce`: the main job — train the suites and write the reports. */
export function addReproduceCommand(program: Command): void {
  program.command("reproduce")
    .description(
      `train the suites and write the reports (default: ${DEFAULT_SUITES.join(" and ")} at the auto scale)`,
    )
    .option("--suite <name|path...>", "suite names (see suites/) or suite files; repeatable")
    .addOption(
      new Option("--scale <scale>", `scale: ${SCALE_CHOICES.join(", ")}; auto = gpu on a real GPU, else cpu`)
        .default("auto").argParser(parseScale),
    )
    .addOption(new Option("--backend <name>", "tfjs backend").choices(BACKEND_CHOICES).default("auto" as const))
    .option("--seeds <list>", "seeds replacing the suites' (e.g. 0,1,2 or 0-4)", parseSeeds)
    .option("--shard <I/N>", "run only part I of N of the planned runs (for several machines)", parseShard)
    .option("--results <dir>", "results directory", "results")
    .option("--reports <dir>", "reports directory", "reports")
    .option("--dry-run", "print the plan (parameters, tokens, FLOPs, estimated time) and run nothing", false)
    .option("--no-report", "do not write reports at the end")
    .action(async (options) => {
      let stopping = false;
      const onSignal = () => {
        if (stopping) Deno.exit(130);
        stopping = true;
        console.error("\nstopping after this step (checkpointing); press Ctrl-C again to abort now");
      };
      Deno.addSignalListener("SIGINT", onSignal);
      try {
        const summary = await reproduce({
          suites: options.suite ?? [],
          scale: options.scale,
          backend: options.backend,
          seeds: options.seeds,
          shard: options.shard,
          resultsDir: options.results,
          dryRun: options.dryRun,
          stopRequested: () => stopping,
          onPlan: async (runs, scale, env) => {
            console.log(await formatDryRun(runs, scale, env, options.results, options.dryRun));
          },
        });
        if (options.dryRun) return;
        const counts = new Map<string, number>();
        for (const { outcome } of summary.runs) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
        console.log(`runs: ${[...counts].map(([k, v]) => `${v} ${k}`).join(", ") || "none"}`);
        if (options.report && !stopping) {
          const suites = [...new Set(summary.runs.map((r) => r.run.config.suite))];
          for (const suite of suites) {
            const written = await writeReports({ resultsDir: options.results, outDir: options.reports, suite });
            for (const path of written) console.log(`report: ${path}`);
          }
        }
        if (stopping) Deno.exit(130);
        if (summary.runs.some((r) => r.outcome === "failed")) Deno.exit(1);
      } finally {
        Deno.removeSignalListener("SIGINT", onSignal);
      }
    });
}
