import { type Command, Option, type OptionValues } from "@commander-js/extra-typings";
import { BACKEND_CHOICES } from "../../backend/mod.ts";
import { formatPlan } from "../../runner/dry_run.ts";
import { seedAdviceFrom } from "./_seed_proposals.ts";
import { judgeSeedRule } from "./_seed_rule.ts";
import {
  parseActivations,
  parseDuration,
  parseJobs,
  parseMultipliers,
  parseScales,
  parseSeeds,
  parseShard,
} from "../../runner/options.ts";
import type { PlanSummary } from "../../runner/planner.ts";
import { DEFAULT_BUDGET_SECONDS, DEFAULT_SUITES, reproduce } from "../../runner/reproduce.ts";
import { CHILD_EXIT } from "../../runner/_child.ts";
import { writeReports } from "../../report/mod.ts";
import { UsageError } from "../../util/errors.ts";

function parseOnly(value: string): { suite: string; runId: string } {
  const [suite, runId] = value.split("/");
  if (!suite || !runId) throw new UsageError(`bad --only '${value}' (expected suite/run-id)`);
  return { suite, runId };
}

function seedChoiceLines(plan: PlanSummary): string[] {
  const lines = [...plan.seedChoices].map(([suite, c]) =>
    `${suite} headline seeds: ${c.chosen} (${c.reason}; target ${c.target}, cap ${c.cap})`
  );
  if (plan.pilot) lines.push(`pilot: ${plan.pilot.length} runs first, then the plan is made again`);
  return lines;
}

/** The options of `reproduce` that choose what runs: suites, rungs, seeds, arms and a recipe sweep. */
function planOptions(command: Command) {
  return command
    .option("--suite <name|path...>", "suite names (see suites/) or suite files; repeatable")
    .addOption(
      new Option("--scale <rungs>", "rung(s) to run, e.g. smoke, 860k or 120k,340k,860k (auto = the budget chooses)")
        .default(["auto"]).argParser(parseScales),
    )
    .option("--budget <duration>", "time budget, e.g. 30m or 8h: run the largest rungs that fit", parseDuration)
    .option("--seeds <list>", "seeds replacing the suites' (e.g. 0,1,2 or 0-4)", parseSeeds)
    .option(
      "--activations <list>",
      "run only these activations of each suite, e.g. polynorm,swiglu (the same run ids as the suite's runs)",
      parseActivations,
    )
    .option(
      "--lr-sweep <list>",
      "recipe sweep: learning-rate multipliers tried per activation, e.g. 0.5,1,2 (replaces the suite's lrSweep)",
      (v: string) => parseMultipliers(v, "--lr-sweep"),
    )
    .option(
      "--init-sweep <list>",
      "recipe sweep: init-scale (initializer_range) multipliers, e.g. 0.35,1 (replaces the suite's initSweep)",
      (v: string) => parseMultipliers(v, "--init-sweep"),
    );
}

/** The options of `reproduce` on how and where it runs, and the internal ones of a `--jobs` child. */
// deno-lint-ignore ban-types
function runOptions<O extends OptionValues>(command: Command<[], O, {}>) {
  return command
    .option("--jobs <n>", "runs at once, each in its own process (default: from cores and memory)", parseJobs)
    .addOption(new Option("--backend <name>", "tfjs backend").choices(BACKEND_CHOICES).default("auto" as const))
    .option("--shard <I/N>", "run only part I of N of the planned runs (for several machines)", parseShard)
    .option("--results <dir>", "results directory", "results")
    .option("--reports <dir>", "reports directory", "reports")
    .option("--dry-run", "print the plan (parameters, tokens, FLOPs, estimated time) and run nothing", false)
    .option("--no-estimate", "do not probe this machine for time estimates when the rung is forced")
    .option("--no-report", "do not write reports at the end")
    .addOption(
      new Option("--only <suite/run-id>", "internal: run one run of the plan (a --jobs child)").hideHelp()
        .argParser(parseOnly),
    )
    .addOption(new Option("--estimated-seconds <s>", "internal: the planner's estimate").hideHelp().argParser(Number))
    .addOption(new Option("--threads <n>", "internal: GEMM threads of a --jobs child").hideHelp().argParser(parseJobs));
}

/** `reproduce`: the main job — train the suites and write the reports. */
export function addReproduceCommand(program: Command): void {
  const command = program.command("reproduce")
    .description(
      `train the suites and write the reports (default: ${DEFAULT_SUITES.join(" and ")}, the largest rungs that fit ` +
        `${DEFAULT_BUDGET_SECONDS / 60} minutes on this machine)`,
    );
  runOptions(planOptions(command))
    .action(async (options) => {
      const child = Deno.env.get("POLYCOM_CHILD") === "1";
      let stopping = false;
      const onSignal = () => {
        if (stopping && !child) Deno.exit(130);
        if (stopping) return;
        stopping = true;
        console.error("\nstopping after this step (checkpointing); press Ctrl-C again to abort now");
      };
      // SIGTERM is how a scheduler (Slurm's scancel or preemption, CI cancelling a job) asks to stop: checkpoint
      // like the first Ctrl-C, never abort, since a scheduler may send it more than once before its SIGKILL.
      const onTerminate = () => {
        if (!stopping) console.error("\nSIGTERM: stopping after this step (checkpointing)");
        stopping = true;
      };
      Deno.addSignalListener("SIGINT", onSignal);
      Deno.addSignalListener("SIGTERM", onTerminate);
      // A --jobs child whose parent died (killed, or its terminal closed) checkpoints and stops: nothing runs unowned.
      const parent = Deno.ppid;
      const orphanCheck = child ? setInterval(() => Deno.ppid !== parent && (stopping = true), 1000) : undefined;
      if (orphanCheck !== undefined) Deno.unrefTimer(orphanCheck);
      try {
        const summary = await reproduce({
          suites: options.suite ?? [],
          scales: [...options.scale],
          budgetSeconds: options.budget,
          startedAt: 0,
          jobs: options.jobs,
          backend: options.backend,
          seeds: options.seeds,
          activations: options.activations,
          lrSweep: options.lrSweep,
          initSweep: options.initSweep,
          threads: options.threads,
          seedRule: judgeSeedRule(),
          shard: options.shard,
          resultsDir: options.results,
          dryRun: options.dryRun,
          estimate: options.estimate,
          only: options.only ? { ...options.only, estimatedSeconds: options.estimatedSeconds } : undefined,
          interactive: child ? false : undefined,
          stopRequested: () => stopping,
          onPlan: async (plan) => {
            console.log(formatPlan(plan));
            for (const line of seedChoiceLines(plan)) console.log(line);
            // Printed only: earlier results' spread never changes the suite's seeds.
            if (!options.only) {
              for (const line of await seedAdviceFrom(options.results, plan.all)) console.log(line);
            }
          },
        });
        if (options.only) Deno.exit(CHILD_EXIT[summary.runs[0]?.outcome ?? "failed"]);
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
        clearInterval(orphanCheck);
        Deno.removeSignalListener("SIGINT", onSignal);
        Deno.removeSignalListener("SIGTERM", onTerminate);
      }
    });
}
