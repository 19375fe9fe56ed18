/**
 * tools/slurm against a real Slurm: the smoke suite as a 3-task job array plus
 * the dependent report job, and a task cancelled mid-run (scancel) that,
 * resubmitted, resumes from its checkpoint and ends with the numbers of an
 * uninterrupted run. Needs a cluster that `sinfo` reaches (`.ci/run` starts a
 * one-node one with tools/slurm/cluster.sh); skipped with the reason otherwise.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type LoadedRun, loadRuns, RUN_FILES } from "../../src/results/mod.ts";
import { readPlan } from "../../src/results/plan.ts";
import { LOCK_FILE } from "../../src/runner/lock.ts";
import dense from "../../suites/dense.ts";
import { ROOT } from "../runner/_cli.ts";

const SUBMIT = join(ROOT, "tools/slurm/submit.sh");
/** States a job or array task ends in. */
const ENDED = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE)/;

function run(cmd: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const out = new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "piped" }).outputSync();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { ok: out.success, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

function whySkipped(): string | null {
  try {
    const info = run("sinfo", ["-h", "-o", "%a"]);
    if (!info.ok || !info.stdout.includes("up")) {
      return `no Slurm cluster answers (sinfo: ${info.stderr.trim().split("\n").at(-1) || "no partition up"}); ` +
        "start one with tools/slurm/cluster.sh as .ci/run does";
    }
    return null;
  } catch {
    return "Slurm is not installed (no sinfo)";
  }
}

const skip = whySkipped();

/** Submits through tools/slurm/submit.sh and returns the job ids it printed. */
function submit(args: string[]): { array: string; report?: string } {
  const out = run(SUBMIT, args);
  assert.ok(out.ok, out.stderr);
  const array = /^array job: (\d+)/m.exec(out.stdout)?.[1];
  assert.ok(array, out.stdout);
  return { array, report: /^report job: (\d+)/m.exec(out.stdout)?.[1] };
}

/** Each task of a job (array) with its state. */
function states(job: string): Map<string, string> {
  const out = run("squeue", ["-h", "-t", "all", "-j", job, "-o", "%i %T"]);
  assert.ok(out.ok, out.stderr);
  return new Map(out.stdout.trim().split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => boolean, seconds = 600): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await sleep(200);
  }
}

/** Waits until every task of the job has ended and returns their states. */
async function ended(job: string): Promise<Map<string, string>> {
  await until(`job ${job}`, () => [...states(job).values()].every((s) => ENDED.test(s)));
  return states(job);
}

async function logs(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const e of Deno.readDir(dir)) files.set(e.name, await Deno.readTextFile(join(dir, e.name)));
  return files;
}

Deno.test({
  name: "a 3-task Slurm array trains every smoke run once; the afterany report job reports them" +
    (skip ? ` (skipped: ${skip})` : ""),
  ignore: skip !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "polycom-slurm-test-" });
    try {
      const results = join(dir, "results");
      const jobs = submit([
        ...["--suite", "smoke", "--scale", "smoke", "--shards", "3", "--cpus", "1", "--results", results],
        ...["--", "--backend", "wasm", "--seeds", "0", "--no-estimate"],
      ]);
      assert.ok(jobs.report, "a report job was submitted");
      const tasks = await ended(jobs.array);
      assert.deepEqual([...tasks.keys()].sort(), [1, 2, 3].map((i) => `${jobs.array}_${i}`));
      const report = await ended(jobs.report!);
      const log = await logs(join(dir, "slurm-logs"));
      assert.ok([...tasks.values()].every((s) => s === "COMPLETED"), JSON.stringify([...tasks, ...log]));
      assert.deepEqual([...report.values()], ["COMPLETED"], [...log.values()].join("\n"));

      const runs = await loadRuns(results); // checks every run's rows against its record
      const planned = (await Promise.all(["smoke-dense", "smoke-moe"].map((s) => readPlan(results, s))))
        .flatMap((p) => p!.rungs[0].runs.map((r) => r.runId));
      assert.deepEqual(runs.map((r) => r.record.runId).sort(), planned.sort());
      for (const r of runs) {
        assert.equal(r.record.status, "finished");
        assert.equal(r.record.timings.resumes, 0);
        assert.ok(!existsSync(join(r.dir, LOCK_FILE)), "locks are released");
      }
      // Trained once: the shards split the plan, so the tasks' "finished" lines add up to the runs.
      const finished = [...log].filter(([name]) => name.startsWith("reproduce-"))
        .map(([, text]) => Number(/^runs: (\d+) finished/m.exec(text)?.[1] ?? 0));
      assert.equal(finished.length, 3);
      assert.equal(finished.reduce((a, b) => a + b, 0), runs.length);
      assert.ok(finished.every((n) => n >= 1), `each task trained its shard: ${finished}`);

      // The report job wrote the reports, after the last run ended.
      const reportLog = log.get(`report-${jobs.report}.out`) ?? "";
      const lastEnd = Math.max(...runs.map((r) => Date.parse(r.record.timings.finishedAt!)));
      for (const suite of ["smoke-dense", "smoke-moe"]) {
        const path = join(dir, "reports", suite, "REPORT.md");
        assert.ok(reportLog.includes(`report: ${path}`), reportLog);
        assert.ok(Deno.statSync(path).mtime!.getTime() >= lastEnd, `${path} written after the runs`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Metric and eval rows without the measured speeds. */
function numbers(run: LoadedRun) {
  return {
    metrics: run.metrics.map(({ tokensPerSecond: _, ...rest }) => rest),
    evals: run.evals,
    step: run.record.progress.step,
  };
}

Deno.test({
  name: "a Slurm task cancelled mid-run checkpoints; resubmitted, it resumes and ends as an uninterrupted run" +
    (skip ? ` (skipped: ${skip})` : ""),
  ignore: skip !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "polycom-slurm-test-" });
    try {
      // One run long enough to cancel between steps: the smoke model for 1000 steps.
      const suiteFile = join(dir, "slurm-stop.json");
      const smoke = dense.scales.smoke!;
      const steps = 1000;
      const train = { ...smoke.train, tokens: 4 * 32 * steps, logEvery: 10, evalEvery: 250, checkpointEvery: 50 };
      await Deno.writeTextFile(
        suiteFile,
        JSON.stringify({
          ...dense,
          name: "slurm-stop",
          activations: ["swiglu"],
          aliases: undefined,
          scales: { smoke: { ...smoke, train: { ...train, seeds: [0] } } },
        }),
      );
      const args = (name: string, ...more: string[]) => [
        ...["--suite", suiteFile, "--scale", "smoke", "--shards", "1", "--cpus", "1", "--no-report-job", ...more],
        ...["--results", join(dir, name, "results"), "--", "--backend", "wasm", "--no-estimate"],
      ];
      const reference = submit(args("reference"));
      const cancelled = submit(args("cancelled"));
      const runDir = () => {
        const suiteDir = join(dir, "cancelled", "results", "slurm-stop");
        const found = existsSync(suiteDir) ? [...Deno.readDirSync(suiteDir)].find((e) => e.isDirectory) : undefined;
        return found ? join(suiteDir, found.name) : null;
      };
      const step = () => {
        const d = runDir();
        if (!d || !existsSync(join(d, RUN_FILES.record))) return 0;
        return JSON.parse(Deno.readTextFileSync(join(d, RUN_FILES.record))).progress?.step ?? 0;
      };
      // Cancelled once its first checkpoint is written, well before the end.
      await until("the first checkpoint", () => {
        const state = [...states(cancelled.array).values()][0];
        if (ENDED.test(state)) throw new Error(`the task ended (${state}) before it was cancelled`);
        return step() >= train.checkpointEvery;
      });
      assert.ok(run("scancel", [cancelled.array]).ok);
      assert.deepEqual([...(await ended(cancelled.array)).values()], ["CANCELLED"]);
      const stopped = (await loadRuns(join(dir, "cancelled", "results")))[0];
      assert.equal(stopped.record.status, "running", "stopped before the end, not failed");
      assert.ok(stopped.record.progress.step < steps, `cancelled at step ${stopped.record.progress.step} of ${steps}`);
      assert.ok(!existsSync(join(stopped.dir, LOCK_FILE)), "the lock is released");
      const cancelLog = (await logs(join(dir, "cancelled", "slurm-logs"))).values().next().value!;
      assert.match(cancelLog, /SIGTERM: stopping after this step/);

      const resubmitted = submit(args("cancelled", "--tasks", "1"));
      assert.deepEqual([...(await ended(resubmitted.array)).values()], ["COMPLETED"]);
      assert.deepEqual([...(await ended(reference.array)).values()], ["COMPLETED"]);
      const [resumed] = await loadRuns(join(dir, "cancelled", "results"));
      const [uninterrupted] = await loadRuns(join(dir, "reference", "results"));
      assert.equal(resumed.record.status, "finished");
      assert.equal(resumed.record.timings.resumes, 1);
      assert.equal(uninterrupted.record.timings.resumes, 0);
      assert.deepEqual(numbers(resumed), numbers(uninterrupted));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
