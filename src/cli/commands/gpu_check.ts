import type { Command } from "@commander-js/extra-typings";
import { formatGpuCheck, runGpuCheck } from "../../bench/gpu/mod.ts";
import { writeJsonAtomic } from "../../util/atomic.ts";
import { UsageError } from "../../util/errors.ts";

function positiveList(name: string, text: string): number[] {
  const values = text.split(",").map((part) => Number(part.trim()));
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new UsageError(`--${name} must be a comma-separated list of positive integers, got '${text}'`);
  }
  return values;
}

function count(name: string, min: number) {
  return (text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${text}'`);
    return n;
  };
}

/** `gpu-check`: the adapter's ceilings, matmul rates and training rows on WebGPU, as a table and JSON. */
export function addGpuCheckCommand(program: Command): void {
  program.command("gpu-check")
    .description("measure this WebGPU adapter: ceilings, matmuls, training speed, dispatches, readbacks, memory")
    .option("--allow-software", "accept a software adapter such as lavapipe (no GPU speed claim)", false)
    .option("--out <file>", "write the measurements as JSON")
    .option("--sizes <list>", "square matmul sizes", "1024,4096")
    .option("--rungs <list>", "dense rungs to train (default: the largest two that fit; 'none' for train-tiny only)")
    .option("--memory-gib <n>", "GPU memory the rungs may use (WebGPU does not report it)", count("memory-gib", 1))
    .option("--max-step-seconds <n>", "largest estimated seconds a rung's step may take", count("max-step-seconds", 1))
    .option("--warmup-steps <n>", "untimed steps per training row", count("warmup-steps", 0))
    .option("--timed-steps <n>", "timed steps per training row", count("timed-steps", 1))
    .option("--no-wasm", "skip the wasm rows")
    .action(async (options) => {
      const report = await runGpuCheck({
        allowSoftware: options.allowSoftware,
        sizes: positiveList("sizes", options.sizes),
        rungs: options.rungs === undefined ? undefined : options.rungs === "none" ? [] : options.rungs.split(","),
        memoryGiB: options.memoryGib,
        maxStepSeconds: options.maxStepSeconds,
        warmupSteps: options.warmupSteps,
        timedSteps: options.timedSteps,
        wasm: options.wasm,
        log: (line) => console.error(line),
      });
      console.log(formatGpuCheck(report).trimEnd());
      if (options.out) await writeJsonAtomic(options.out, report);
    });
}
