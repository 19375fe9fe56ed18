import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadRuns } from "../../src/results/mod.ts";
import { finalTrainLoss } from "../../src/results/summary.ts";
import dense from "../../suites/dense.ts";
import { loadTokenizer } from "../../src/data/mod.ts";
import { findPython } from "../../src/util/python.ts";
import { cli, spawnCli } from "./_cli.ts";
import { autoTokenizerIds } from "./_hf_tokenizer.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "polycom-reproduce-test-" });
}

/** Arguments of `reproduce` for one suite and scale on the CPU backend, then `rest`. */
function reproduceArgs(suite: string, scale: string, ...rest: string[]): string[] {
  return ["reproduce", "--suite", suite, "--scale", scale, "--backend", "cpu", ...rest];
}

Deno.test("reproduce --suite smoke --scale smoke runs end to end and reports", async () => {
  const dir = await tempDir();
  try {
    const results = join(dir, "results");
    const reports = join(dir, "reports");
    const run = await cli(reproduceArgs("smoke", "smoke", "--results", results, "--reports", reports));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /runs: 10 finished/);
    const runs = await loadRuns(results);
    assert.equal(runs.length, 10);
    for (const r of runs) {
      assert.equal(r.record.status, "finished");
      assert.equal(r.record.progress.step, r.record.progress.totalSteps);
      assert.equal(r.metrics.at(-1)!.step, r.record.progress.totalSteps);
      assert.ok(r.evals.length >= 2, "an evaluation at the start and at the end");
      assert.equal(r.record.env.backend, "cpu");
      assert.ok(r.record.code.sourceHash.length > 0);
      assert.ok(existsSync(join(r.dir, "checkpoint", "model.safetensors")));
      // Curve points score validation only; the zero-shot tasks are scored at the final evaluation.
      for (const e of r.evals.slice(0, -1)) assert.deepEqual(e.tasks, {}, `no tasks at step ${e.step}`);
      assert.ok(r.evals.at(-1)!.tasks.mc4.n > 0);
      // The checkpoint carries the tokenizer (AutoTokenizer.from_pretrained(checkpoint) finds it).
      assert.deepEqual(
        JSON.parse(await Deno.readTextFile(join(r.dir, "checkpoint", "tokenizer.json"))),
        JSON.parse(await Deno.readTextFile(join(r.dir, "tokenizer.json"))),
      );
      assert.match(r.record.data!.train.brown.contentChecksum, /^[0-9a-f]{64}$/);
      // Learning happened: the loss fell from about log(259).
      assert.ok(r.metrics[0].ce > r.metrics.at(-1)!.ce);
      if (r.record.activation.startsWith("poly")) assert.equal(r.metrics.at(-1)!.coefficients?.[0].length, 4);
    }
    // The report's headline numbers come from the result files.
    const report = await Deno.readTextFile(join(reports, "smoke-dense", "REPORT.md"));
    const dense = runs.filter((r) => r.record.suite === "smoke-dense");
    const mean = (activation: string) => {
      const xs = dense.filter((r) => r.record.activation === activation).map((r) => finalTrainLoss(r.metrics));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const gap = (mean("polynorm") - mean("swiglu")).toFixed(4);
    assert.ok(report.includes(`PolyNorm vs SwiGLU: ${gap.startsWith("-") ? gap : `+${gap}`}`), `gap ${gap} in report`);
    assert.ok(existsSync(join(reports, "smoke-moe", "REPORT.md")));
    assert.ok(existsSync(join(reports, "smoke-dense", "train_loss.png")));

    // A run's checkpoint stands alone: `eval` on it, with the tokenizer.json and run.json beside it,
    // gives the numbers of the run's own final evaluation.
    const moeRun = runs.find((r) => r.record.suite === "smoke-moe")!;
    assert.ok(existsSync(join(moeRun.dir, "tokenizer.json")));
    const evaluated = await cli(["eval", "--checkpoint", join(moeRun.dir, "checkpoint"), "--backend", "cpu", "--json"]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const fromCli = JSON.parse(evaluated.stdout);
    const last = moeRun.evals.at(-1)!;
    assert.equal(fromCli.step, last.step);
    for (const [source, row] of Object.entries(last.sources)) {
      assert.ok(Math.abs(fromCli.sources[source].loss - row.loss) < 1e-6, `${source}: ${fromCli.sources[source].loss}`);
    }
    assert.deepEqual(fromCli.tasks.mc4.acc, last.tasks.mc4.acc);
    // transformers loads the byte tokenizer from the checkpoint folder alone and gives our ids.
    const py = await findPython(["transformers"]);
    if (py.ok) {
      const text = "Héllo, wörld — 42!";
      const ours = (await loadTokenizer("byte")).encode(text);
      assert.deepEqual(await autoTokenizerIds(py.python, join(moeRun.dir, "checkpoint"), text), ours);
    } else console.log(`AutoTokenizer check skipped: ${py.reason}`);

    // Running again skips every finished run.
    const again = await cli(reproduceArgs("smoke", "smoke", "--results", results, "--no-report"));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /runs: 10 skipped/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function strip<T extends { tokensPerSecond?: number }>(rows: T[]): Omit<T, "tokensPerSecond">[] {
  return rows.map(({ tokensPerSecond: _, ...rest }) => rest);
}

Deno.test("a killed run resumes to the same numbers as an uninterrupted one", async () => {
  const dir = await tempDir();
  try {
    const suiteFile = join(dir, "resume.json");
    const smoke = dense.scales.smoke!;
    await Deno.writeTextFile(
      suiteFile,
      JSON.stringify({
        ...dense,
        name: "resume",
        aliases: undefined,
        activations: ["polynorm"],
        baseline: "polynorm",
        seeds: [3],
        scales: {
          smoke: {
            ...smoke,
            train: { ...smoke.train, tokens: 4 * 32 * 40, evalEvery: 10, checkpointEvery: 5, seeds: [3] },
          },
        },
      }),
    );
    const args = (results: string) => reproduceArgs(suiteFile, "smoke", "--results", results, "--no-report");
    const whole = join(dir, "whole");
    assert.equal((await cli(args(whole))).code, 0);

    const killed = join(dir, "killed");
    const child = spawnCli(args(killed));
    // Kill hard once the first checkpoint exists: whatever the process was doing then is lost.
    const deadline = Date.now() + 60_000;
    let checkpointed = false;
    while (Date.now() < deadline && !checkpointed) {
      await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(join(killed, "resume"))) continue;
      for (const e of Deno.readDirSync(join(killed, "resume"))) {
        if (existsSync(join(killed, "resume", e.name, "checkpoint", "trainer_state.json"))) checkpointed = true;
      }
    }
    assert.ok(checkpointed, "the run wrote a checkpoint");
    child.kill("SIGKILL");
    await child.status;
    const [partial] = await loadRuns(killed);
    assert.equal(partial.record.status, "running");

    const resumed = await cli(args(killed));
    assert.equal(resumed.code, 0, resumed.stderr);
    const [a] = await loadRuns(whole);
    const [b] = await loadRuns(killed);
    assert.equal(b.record.status, "finished");
    assert.equal(b.record.timings.resumes, 1);
    assert.deepEqual(strip(b.metrics), strip(a.metrics));
    assert.deepEqual(b.evals, a.evals);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad input: exit code 2, one line, nothing written", async () => {
  const dir = await tempDir();
  try {
    const results = join(dir, "results");
    const cases: Array<[string[], RegExp]> = [
      [["--suite", "nope"], /unknown suite 'nope'/],
      [["--suite", "smoke", "--scale", "huge"], /unknown scale 'huge'/],
      [["--suite", "smoke", "--backend", "tpu"], /argument 'tpu' is invalid/],
      [["--suite", "smoke", "--shard", "3/2"], /malformed shard '3\/2'/],
      [["--suite", "smoke", "--seeds", "a,b"], /bad seed list/],
      [["--suite", "smoke", "--lr-sweep", "0.5,0"], /bad --lr-sweep '0\.5,0': '0' is not a multiplier/],
      [["--suite", "smoke", "--init-sweep", "0.35,x"], /bad --init-sweep '0\.35,x': 'x' is not a multiplier/],
      [["--suite", "smoke", "--lr-sweep", "1,2,1"], /bad --lr-sweep '1,2,1': 1 is listed twice/],
      [["--suite", "smoke", "--scale", "smoke", "--shard", "1/2", "--lr-sweep", "1,2"], /cannot be sharded/],
      [["--suite", "dense", "--scale", "smoke", "--results", results, "--bogus"], /unknown option '--bogus'/],
    ];
    const badSuite = join(dir, "bad.yaml");
    await Deno.writeTextFile(badSuite, "name: bad\nfamily: dense\n");
    cases.push([["--suite", badSuite], /invalid suite .*bad\.yaml/]);
    for (const [args, message] of cases) {
      const r = await cli(["reproduce", ...args, "--results", results]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.ok(!/\bat file:/.test(r.stderr), "no stack trace");
    }
    assert.ok(!existsSync(results), "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--dry-run prints parameters, tokens, FLOPs and a time estimate and writes nothing", async () => {
  const dir = await tempDir();
  try {
    const results = join(dir, "results");
    const r = await cli(reproduceArgs("dense", "paper", "--dry-run", "--results", results));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /plan: 6 runs at scale 'paper'/);
    assert.match(r.stdout, /dense\/swiglu seed 1234 \| 1\.35G \/ 1\.35G \| 250\.00G \| 2\.\d+Z \|/);
    assert.match(r.stdout, /time estimates from:/);
    assert.ok(!existsSync(results));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shards split the runs disjointly", async () => {
  const lists = await Promise.all([1, 2].map(async (i) => {
    const r = await cli(reproduceArgs("smoke", "smoke", "--dry-run", "--shard", `${i}/2`));
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split("\n").filter((l) => l.startsWith("| smoke-")).map((l) => l.split("|")[1].trim());
  }));
  assert.equal(lists[0].length + lists[1].length, 10);
  assert.equal(new Set([...lists[0], ...lists[1]]).size, 10);
});
