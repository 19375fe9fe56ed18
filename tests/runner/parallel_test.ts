import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadRuns, RUN_FILES } from "../../src/results/mod.ts";
import { readPlan } from "../../src/results/plan.ts";
import { LOCK_FILE } from "../../src/runner/lock.ts";
import dense from "../../suites/dense.ts";
import { cli, ROOT } from "./_cli.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "polycom-parallel-test-" });
}

const finishedCount = (stdout: string) => Number(/runs: .*?(\d+) finished/.exec(stdout)?.[1] ?? 0);

function strip<T extends { tokensPerSecond?: number }>(rows: T[]): Omit<T, "tokensPerSecond">[] {
  return rows.map(({ tokensPerSecond: _, ...rest }) => rest);
}

Deno.test("two reproduce processes on one results folder split the runs: each trained once, files well formed", async () => {
  const dir = await tempDir();
  try {
    const results = join(dir, "results");
    const args = ["reproduce", "--suite", "smoke", "--scale", "smoke", "--backend", "cpu", "--jobs", "1"];
    const [a, b] = await Promise.all([
      cli([...args, "--results", results, "--no-report", "--no-estimate"]),
      cli([...args, "--results", results, "--no-report", "--no-estimate"]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(finishedCount(a.stdout) + finishedCount(b.stdout), 10, a.stdout + b.stdout);
    const runs = await loadRuns(results); // checks every run's rows against its record
    assert.equal(runs.length, 10);
    for (const r of runs) {
      assert.equal(r.record.status, "finished");
      assert.equal(r.record.timings.resumes, 0);
      assert.equal(new Set(r.metrics.map((m) => m.step)).size, r.metrics.length);
      assert.ok(!existsSync(join(r.dir, LOCK_FILE)), "locks are released");
      assert.ok((r.record.timings.wallSeconds ?? 0) > 0);
    }
    const plan = await readPlan(results, "smoke-dense");
    assert.deepEqual(plan?.rungs.map((r) => [r.rung, r.runs.length]), [["smoke", 6]]);

    // Readers check what they read: a duplicated step is an error naming the file (exit 2), never averaged.
    const victim = runs.find((r) => r.record.suite === "smoke-dense")!;
    const metricsPath = join(victim.dir, RUN_FILES.metrics);
    const lines = (await Deno.readTextFile(metricsPath)).trimEnd().split("\n");
    await Deno.writeTextFile(metricsPath, [...lines.slice(0, 3), lines[2], ...lines.slice(3)].join("\n") + "\n");
    const report = await cli(["report", "--results", results, "--out", join(dir, "reports"), "--no-charts"]);
    assert.equal(report.code, 2, report.stderr);
    assert.ok(report.stderr.includes(metricsPath), report.stderr);
    assert.match(report.stderr, /step 3 appears twice/);
    // Rows after the finished record's last step.
    const extra = JSON.stringify({ ...JSON.parse(lines.at(-1)!), step: 999 });
    await Deno.writeTextFile(metricsPath, [...lines, extra].join("\n") + "\n");
    const after = await cli(["report", "--results", results, "--out", join(dir, "reports"), "--no-charts"]);
    assert.equal(after.code, 2);
    assert.match(after.stderr, /rows up to step 999 after the run ended at step 12/);
    // A record that does not match its rows.
    await Deno.writeTextFile(metricsPath, lines.slice(0, -2).join("\n") + "\n");
    const short = await cli(["report", "--results", results, "--out", join(dir, "reports"), "--no-charts"]);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /the last row is at step \d+ but run\.json says the run ended at step 12/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run's metrics do not depend on --jobs", async () => {
  const dir = await tempDir();
  try {
    const metricsOf = async (jobs: number) => {
      const results = join(dir, `jobs${jobs}`);
      const r = await cli([
        "reproduce",
        "--suite",
        "smoke",
        "--scale",
        "smoke",
        "--backend",
        "wasm",
        "--jobs",
        String(jobs),
        "--results",
        results,
        "--no-report",
        "--no-estimate",
      ]);
      assert.equal(r.code, 0, r.stderr);
      if (jobs > 1) assert.match(r.stdout, /\[job 2\] /, "the display shows every job");
      const runs = await loadRuns(results);
      assert.equal(runs.length, 10);
      return new Map(runs.map((run) => [run.record.runId, { metrics: strip(run.metrics), evals: run.evals }]));
    };
    const one = await metricsOf(1);
    const two = await metricsOf(2);
    assert.deepEqual([...two.keys()].sort(), [...one.keys()].sort());
    for (const [id, a] of one) assert.deepEqual(two.get(id), a, id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a killed job does not stop the others, and resumes on the next call", async () => {
  const dir = await tempDir();
  try {
    const suiteFile = join(dir, "par.json");
    const smoke = dense.scales.smoke!;
    await Deno.writeTextFile(
      suiteFile,
      JSON.stringify({
        ...dense,
        name: "par",
        activations: ["polynorm", "swiglu"],
        aliases: undefined,
        scales: {
          smoke: {
            ...smoke,
            train: { ...smoke.train, tokens: 4 * 32 * 60, evalEvery: 20, checkpointEvery: 5, seeds: [0, 1] },
          },
        },
      }),
    );
    const results = join(dir, "results");
    const args = ["run", "-A", "src/cli/main.ts", "reproduce", "--suite", suiteFile, "--scale", "smoke"];
    const rest = ["--backend", "cpu", "--jobs", "2", "--results", results, "--no-report", "--no-estimate"];
    const parent = new Deno.Command(Deno.execPath(), {
      args: [...args, ...rest],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Kill the child that holds the first run with a checkpoint.
    let killed: string | null = null;
    const deadline = Date.now() + 90_000;
    while (!killed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      if (!existsSync(join(results, "par"))) continue;
      for (const e of Deno.readDirSync(join(results, "par"))) {
        const runDir = join(results, "par", e.name);
        if (!e.isDirectory || !existsSync(join(runDir, "checkpoint", "trainer_state.json"))) continue;
        try {
          const lock = JSON.parse(Deno.readTextFileSync(join(runDir, LOCK_FILE)));
          Deno.kill(lock.pid, "SIGKILL");
          killed = e.name;
          break;
        } catch {
          // no lock (finished already) or half-written: look again
        }
      }
    }
    assert.ok(killed, "a job was killed mid-run");
    const out = await parent.output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 1, "a failed job makes the call fail");
    assert.equal(finishedCount(stdout), 3, stdout);
    const before = await loadRuns(results);
    assert.equal(before.find((r) => r.record.runId === killed)?.record.status, "running");

    const again = await cli([...args.slice(3), ...rest]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /took over the lock of pid \d+/);
    assert.equal(finishedCount(again.stdout), 1);
    const after = await loadRuns(results);
    assert.ok(after.every((r) => r.record.status === "finished"));
    assert.equal(after.find((r) => r.record.runId === killed)?.record.timings.resumes, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C stops every job at its next step; each resumes on the next call", async () => {
  const dir = await tempDir();
  try {
    const suiteFile = join(dir, "stop.json");
    const smoke = dense.scales.smoke!;
    await Deno.writeTextFile(
      suiteFile,
      JSON.stringify({
        ...dense,
        name: "stop",
        activations: ["polynorm", "swiglu"],
        aliases: undefined,
        scales: {
          smoke: {
            ...smoke,
            train: { ...smoke.train, tokens: 4 * 32 * 400, evalEvery: 100, checkpointEvery: 50, seeds: [0] },
          },
        },
      }),
    );
    const results = join(dir, "results");
    const args = ["reproduce", "--suite", suiteFile, "--scale", "smoke", "--backend", "cpu", "--jobs", "2"];
    const rest = ["--results", results, "--no-report", "--no-estimate"];
    const parent = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "src/cli/main.ts", ...args, ...rest],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Both jobs are training once both runs hold a lock.
    const deadline = Date.now() + 90_000;
    const locked = () =>
      existsSync(join(results, "stop")) &&
      [...Deno.readDirSync(join(results, "stop"))].filter((e) => existsSync(join(results, "stop", e.name, LOCK_FILE)))
          .length === 2;
    while (!locked() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(locked(), "two jobs running");
    parent.kill("SIGINT");
    const out = await parent.output();
    assert.equal(out.code, 130, new TextDecoder().decode(out.stderr));
    const stopped = await loadRuns(results);
    assert.equal(stopped.length, 2);
    assert.ok(stopped.every((r) => r.record.status === "running"), "both stopped before the end");
    assert.ok(stopped.every((r) => !existsSync(join(r.dir, LOCK_FILE))), "both released their locks");
    const again = await cli([...args, ...rest]);
    assert.equal(again.code, 0, again.stderr);
    const after = await loadRuns(results);
    assert.ok(after.every((r) => r.record.status === "finished" && r.record.timings.resumes === 1));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
