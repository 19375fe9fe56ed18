import { type Command, Option } from "@commander-js/extra-typings";
import { BACKEND_CHOICES } from "../../backend/mod.ts";
import { DEFAULT_BASELINE, formatGateJson, formatGateJunit, formatGateMarkdown, GATE_SUITE } from "../../gate/mod.ts";
import { runGate } from "../../gate/run.ts";
import { writeFileAtomic } from "../../util/atomic.ts";

/** `gate`: CI regression gating against the committed baseline. */
export function addGateCommand(program: Command): void {
  program.command("gate")
    .description(
      "run the gate suite and compare with the baseline: exit 0 within bands, 1 on a regression, 2 on bad input",
    )
    .option("--baseline <file>", "baseline file", DEFAULT_BASELINE)
    .option("--results <dir>", "results directory", "results")
    .option("--suite <name|path>", "gate suite", GATE_SUITE)
    .addOption(
      new Option("--scale <scale>", "scale of the gated runs").choices(["smoke", "cpu"] as const).default(
        "cpu" as const,
      ),
    )
    .option("--update-baseline", "measure drift and seed spread, then rewrite the baseline", false)
    .addOption(
      new Option("--backend <name>", "backend of the gated runs").choices(BACKEND_CHOICES).default("wasm" as const),
    )
    .option("--json <file>", "also write the result as JSON")
    .option("--summary <file>", "also write the markdown summary (for a pull-request comment)")
    .option("--junit <file>", "also write JUnit XML: one test case per gated metric and per claim")
    .option("--quiet", "no progress lines", false)
    .action(async (options) => {
      const outcome = await runGate({
        baselinePath: options.baseline,
        resultsDir: options.results,
        update: options.updateBaseline,
        suite: options.suite,
        scale: options.scale,
        backend: options.backend,
        quiet: options.quiet,
      });
      const result = outcome.result;
      const markdown = formatGateMarkdown(result, outcome.timings);
      console.log(markdown.trimEnd());
      if (outcome.updated) console.log(`baseline written: ${options.baseline}`);
      if (options.json) await writeFileAtomic(options.json, formatGateJson(result, outcome.timings));
      if (options.summary) await writeFileAtomic(options.summary, markdown);
      if (options.junit) await writeFileAtomic(options.junit, formatGateJunit(result));
      // GitHub Actions shows what a step appends to this file on the job's page.
      const stepSummary = Deno.env.get("GITHUB_STEP_SUMMARY");
      if (stepSummary) await Deno.writeTextFile(stepSummary, markdown, { append: true });
      if (!result.passed) Deno.exit(1);
    });
}
