/**
 * `gpu-check`'s printed tables (markdown, so the README can quote them).
 * @module
 */
import type { GpuCheckReport } from "./report.ts";

const fixed = (x: number | null, digits = 1) => x === null || !Number.isFinite(x) ? "-" : x.toFixed(digits);
const mib = (bytes: number | null) => bytes === null ? "-" : (bytes / 2 ** 20).toFixed(0);

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

/**
 * The report as markdown: adapter, ceilings, matmuls, rungs and training.
 *
 * @example
 * ```ts
 * import { runGpuCheck } from "./mod.ts";
 * const report = await runGpuCheck({ allowSoftware: true, sizes: [128], rungs: [], timedSteps: 1, warmupSteps: 0, wasm: false });
 * console.log(formatGpuCheck(report));
 * ```
 */
export function formatGpuCheck(report: GpuCheckReport): string {
  const a = report.adapter;
  const c = report.ceilings;
  const lines = [
    `## gpu-check ${report.software ? "(SOFTWARE ADAPTER: no GPU speed claim)" : ""}`.trimEnd(),
    "",
    `adapter: ${a.description} — vendor ${a.vendor || "-"}, architecture ${a.architecture || "-"}, device ${
      a.device || "-"
    }${report.software ? ", software (fallback) adapter" : ""}; features: ${a.features.join(", ") || "-"}`,
    "",
    ...table(["ceiling", "measured"], [
      ["fp32 FMA throughput", `${fixed(c.fmaGflops, 0)} GFLOP/s`],
      ["copy bandwidth (read + write)", `${fixed(c.copyGBs, 1)} GB/s over ${mib(c.copyBytes)} MiB`],
      ["one host readback (16 B, submit → mapped)", `${fixed(c.readbackMs, 2)} ms`],
      ["1,000 empty dispatches (encode → drained)", `${fixed(c.emptyDispatchesMs, 1)} ms`],
    ]),
    "",
    ...table(
      ["matmul", "m × k × n", "ms", "GFLOP/s", "% of FMA"],
      report.matmuls.map((m) => [
        m.label,
        `${m.m} × ${m.k} × ${m.n}`,
        fixed(m.ms, 2),
        fixed(m.gflops, 0),
        fixed(m.pctOfFma, 1),
      ]),
    ),
    "",
    ...table(
      ["dense rung", "params", "est. memory MiB", "est. s/step", "trained", "why"],
      report.rungs.map((r) => [
        r.rung,
        String(r.parameters),
        mib(r.estimatedBytes),
        fixed(r.estimatedStepSeconds, 2),
        r.chosen ? "yes" : "no",
        r.reason,
      ]),
    ),
    "",
    ...table(
      [
        "model",
        "backend",
        "activation",
        "batch × seq",
        "ms/step",
        "tokens/s",
        "GFLOP/s",
        "MFU",
        "dispatches/step",
        "readbacks/step",
        "peak GPU MiB",
        "est. MiB",
      ],
      report.training.map((t) => [
        t.name,
        t.backend,
        t.activation,
        `${t.batchSize} × ${t.seqLen}`,
        fixed(t.msPerStep, 1),
        fixed(t.tokensPerSecond, 0),
        fixed(t.achievedGflops, 1),
        Number.isFinite(t.mfu) ? `${(100 * t.mfu).toFixed(2)}%` : "-",
        fixed(t.dispatchesPerStep, 1),
        fixed(t.readbacksPerStep, 2),
        mib(t.peakGpuBytes),
        mib(t.estimatedBytes),
      ]),
    ),
    "",
    `MFU is model FLOP/s over the measured FMA ceiling; steps: ${report.settings.warmupSteps} warm-up + ${report.settings.timedSteps} timed (median); ` +
    `rungs limited to ${report.settings.memoryGiB} GiB and ${report.settings.maxStepSeconds} s a step (estimated); ` +
    `took ${report.seconds.toFixed(0)} s.`,
  ];
  return lines.join("\n") + "\n";
}
