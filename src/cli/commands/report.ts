import { type Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { Scale } from "../../results/mod.ts";
import { writeReports } from "../../report/mod.ts";

/**
 * `report`: write reports/<suite>/REPORT.md and charts from the results that exist.
 *
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * const program = new Command("polycom");
 * addReportCommand(program); // then: polycom report --results results --out reports
 * ```
 */
export function addReportCommand(program: Command): void {
  program.command("report")
    .description("write reports/<suite>/REPORT.md and PNG charts from whatever results exist (missing runs are listed)")
    .option("--results <dir>", "results directory", "results")
    .option("--out <dir>", "reports directory", "reports")
    .option("--suite <name>", "only this suite (a folder name under the results directory)")
    .addOption(
      new Option("--scale <rung>", "report this rung (default: the one with most finished runs)").argParser((v) => {
        if (!Scale.safeParse(v).success) throw new InvalidArgumentError("not a rung name (e.g. smoke, 860k, paper)");
        return v;
      }),
    )
    .option("--no-charts", "write the markdown only")
    .action(async (options) => {
      const written = await writeReports({
        resultsDir: options.results,
        outDir: options.out,
        suite: options.suite,
        scale: options.scale,
        charts: options.charts,
      });
      for (const path of written) console.log(`report: ${path}`);
    });
}
