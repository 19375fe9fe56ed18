/**
 * `reproduce` under a scheduler's SIGTERM (Slurm's scancel or preemption, a
 * cancelled CI job): it checkpoints at its next step and exits 130, and a
 * second SIGTERM before that does not abort it.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadRuns, RUN_FILES } from "../../../src/results/mod.ts";
import { LOCK_FILE } from "../../../src/runner/lock.ts";
import dense from "../../../suites/dense.ts";
import { ROOT } from "../../runner/_cli.ts";

Deno.test("SIGTERM, even twice, stops reproduce at its next step with a checkpoint (exit 130)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "polycom-sigterm-test-" });
  try {
    const smoke = dense.scales.smoke!;
    const steps = 1000;
    const train = { ...smoke.train, tokens: 4 * 32 * steps, logEvery: 10, evalEvery: 250, checkpointEvery: 50 };
    const suiteFile = join(dir, "term.json");
    await Deno.writeTextFile(
      suiteFile,
      JSON.stringify({
        ...dense,
        name: "term",
        activations: ["swiglu"],
        aliases: undefined,
        scales: { smoke: { ...smoke, train: { ...train, seeds: [0] } } },
      }),
    );
    const results = join(dir, "results");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "src/cli/main.ts", "reproduce", "--suite", suiteFile, "--scale", "smoke", "--backend", "wasm"]
        .concat(["--jobs", "1", "--results", results, "--no-report", "--no-estimate"]),
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const record = () => {
      const suiteDir = join(results, "term");
      const run = existsSync(suiteDir) ? [...Deno.readDirSync(suiteDir)].find((e) => e.isDirectory) : undefined;
      const file = run ? join(suiteDir, run.name, RUN_FILES.record) : "";
      return file && existsSync(file) ? JSON.parse(Deno.readTextFileSync(file)) : null;
    };
    const deadline = Date.now() + 120_000;
    while ((record()?.progress?.step ?? 0) < train.checkpointEvery && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGTERM");
    child.kill("SIGTERM");
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 130, stderr);
    assert.match(stderr, /SIGTERM: stopping after this step \(checkpointing\)/);
    const [run] = await loadRuns(results);
    assert.equal(run.record.status, "running");
    assert.ok(run.record.progress.step >= train.checkpointEvery && run.record.progress.step < steps);
    assert.ok(existsSync(join(run.dir, RUN_FILES.checkpoint)), "a checkpoint to resume from");
    assert.ok(!existsSync(join(run.dir, LOCK_FILE)), "the lock is released");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
