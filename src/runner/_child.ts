/**
 * One run in a child process (`reproduce --only`), for `--jobs N`: the child
 * plans the same suite at the same rung, runs the one run, and exits with a
 * code saying how it ended. Its output comes back line by line, tagged with
 * the job's slot, so the display shows every job.
 */
import type { BackendName } from "../backend/mod.ts";
import { readRunRecord } from "../results/io.ts";
import type { PlannedRun } from "./plan.ts";
import type { RunOutcome } from "./run.ts";

/** Exit codes of `reproduce --only` per outcome (anything else, a crash or a kill, is `failed`). */
export const CHILD_EXIT: Record<RunOutcome, number> = {
  finished: 0,
  failed: 1,
  diverged: 3,
  skipped: 4,
  locked: 75,
  interrupted: 130,
};

/** How a child runs. */
export interface ChildOptions {
  slot: number;
  backend: BackendName;
  resultsDir: string;
  /** GEMM threads of the child (its share of the machine). */
  threads: number;
  stopRequested: () => boolean;
  quiet: boolean;
}

const MAIN = new URL("../cli/main.ts", import.meta.url).pathname;

async function pipeLines(stream: ReadableStream<Uint8Array>, prefix: string, write: (line: string) => void) {
  let buffer = "";
  for await (
    const chunk of stream.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
  ) {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) if (line.trim()) write(`${prefix}${line}`);
  }
  if (buffer.trim()) write(`${prefix}${buffer}`);
}

/**
 * Runs one planned run in a child process and returns how it ended.
 *
 * @example
 * ```ts
 * import type { PlannedRun } from "./plan.ts";
 * declare const run: PlannedRun;
 * const outcome = await runInChild(run, { slot: 1, backend: "wasm", resultsDir: "results", threads: 1, stopRequested: () => false, quiet: false });
 * ```
 */
export async function runInChild(run: PlannedRun, o: ChildOptions): Promise<RunOutcome> {
  const c = run.config;
  // Starting a process only to find the run finished costs seconds: look first.
  const status = (await readRunRecord(run.dir))?.status;
  if (status === "finished" || status === "diverged") return "skipped";
  const args = [
    "run",
    "-A",
    MAIN,
    "reproduce",
    "--suite",
    run.suitePath,
    "--scale",
    c.scale,
    "--seeds",
    String(c.seed),
    "--only",
    `${c.suite}/${run.runId}`,
    "--jobs",
    "1",
    "--backend",
    o.backend,
    "--results",
    o.resultsDir,
    "--no-report",
    "--threads",
    String(o.threads),
    ...(run.estimatedSeconds ? ["--estimated-seconds", String(run.estimatedSeconds)] : []),
    ...(c.recipe ? ["--lr-sweep", String(c.recipe.lr), "--init-sweep", String(c.recipe.init)] : []),
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: {
      POLYCOM_CHILD: "1",
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const prefix = `[job ${o.slot}] `;
  const out = pipeLines(child.stdout, prefix, (l) => o.quiet || console.log(l));
  const err = pipeLines(child.stderr, prefix, (l) => console.error(l));
  // Forward a stop request once: the child checkpoints and exits 130.
  let forwarded = false;
  const timer = setInterval(() => {
    if (!forwarded && o.stopRequested()) {
      forwarded = true;
      try {
        child.kill("SIGINT");
      } catch {
        // already gone
      }
    }
  }, 200);
  try {
    const exit = await child.status;
    await Promise.all([out, err]);
    const outcome = (Object.entries(CHILD_EXIT).find(([, code]) => code === exit.code)?.[0] ?? "failed") as RunOutcome;
    if (outcome === "failed" && exit.signal) {
      console.error(
        `${prefix}${c.suite}/${c.activation} seed ${c.seed}: killed by ${exit.signal}; it resumes on the next call`,
      );
    }
    // A child killed before it wrote anything leaves the run as it was; the record says the rest.
    if (outcome === "finished" && (await readRunRecord(run.dir))?.status !== "finished") return "failed";
    return outcome;
  } finally {
    clearInterval(timer);
  }
}
