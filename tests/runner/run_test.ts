/**
 * The training loop of one run (executeRun, in process, on the cpu backend):
 * reading the steps' statistics a group at a time writes the same files as
 * reading each step before the next is queued — same steps, losses,
 * coefficients, evaluations, divergence step — and an interrupted run resumes
 * to those numbers whatever the group.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../src/backend/mod.ts";
import { READ_GROUP } from "../../src/model/mod.ts";
import { loadRuns, RUN_FILES } from "../../src/results/mod.ts";
import type { CodeVersion } from "../../src/results/schema.ts";
import { type PlannedRun, planSuite } from "../../src/runner/plan.ts";
import { executeRun, type RunContext } from "../../src/runner/run.ts";
import { validateSuite } from "../../src/suite/load.ts";
import dense from "../../suites/dense.ts";

const CODE: CodeVersion = { commit: "test", dirty: false, sourceHash: "run-test" };
const env = await initBackend("cpu");

/**
 * One dense PolyNorm run of `steps` steps at the smoke rung: logged every 3 steps, evaluated every 10,
 * checkpointed every 8 (none a multiple of the read group), at peak learning rate `lrPeak`.
 */
async function plannedRun(resultsDir: string, steps: number, lrPeak?: number): Promise<PlannedRun> {
  const smoke = dense.scales.smoke!;
  const suite = validateSuite({
    ...dense,
    name: "run-test",
    aliases: undefined,
    activations: ["polynorm"],
    baseline: "polynorm",
    scales: {
      smoke: {
        ...smoke,
        train: { ...smoke.train, tokens: 4 * 32 * steps, logEvery: 3, evalEvery: 10, checkpointEvery: 8, seeds: [0] },
        optimizer: { ...smoke.optimizer, ...(lrPeak ? { lrPeak } : {}) },
      },
    },
  }, "run_test");
  const [run] = await planSuite({ suite, path: "run_test" }, { rungs: ["smoke"] }, resultsDir, CODE);
  return run;
}

function context(readGroup: number, stopRequested = () => false): RunContext {
  return { env, code: CODE, progress: () => ({ update() {}, stop() {} }), stopRequested, readGroup };
}

/**
 * Everything a run wrote that must not depend on when the statistics were read. The metrics are read raw: a
 * diverged row's non-finite loss is written as null, which the results reader drops as a torn last line.
 */
async function numbers(resultsDir: string) {
  const [r] = await loadRuns(resultsDir);
  const lines = (await Deno.readTextFile(join(r.dir, RUN_FILES.metrics))).split("\n").filter((l) => l.trim());
  return {
    status: r.record.status,
    progress: r.record.progress,
    divergedAtStep: r.record.divergedAtStep,
    metrics: lines.map((l) => JSON.parse(l)).map(({ tokensPerSecond: _, ...row }) => row),
    evals: r.evals,
  };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "polycom-run-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("grouped statistics reads write the same metrics, coefficients and evaluations as reading every step", async () => {
  await withTempDir(async (dir) => {
    const written = [];
    for (const readGroup of [0, 7, READ_GROUP]) {
      const results = join(dir, `group-${readGroup}`);
      assert.equal(await executeRun(await plannedRun(results, 33), context(readGroup)), "finished");
      written.push(await numbers(results));
    }
    const [each, ...grouped] = written;
    assert.deepEqual(each.metrics.map((m) => m.step), [3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33]);
    assert.deepEqual(each.evals.map((e) => e.step), [0, 10, 20, 30, 33]);
    assert.equal(each.metrics[0].coefficients?.[0].length, 4);
    assert.notDeepEqual(each.metrics[0].coefficients, each.metrics.at(-1)!.coefficients, "coefficients are per step");
    for (const other of grouped) assert.deepEqual(other, each);
  });
});

Deno.test("a diverging run stops at the same step, with the same rows, whatever the read group", async () => {
  await withTempDir(async (dir) => {
    const written = [];
    for (const readGroup of [0, READ_GROUP]) {
      const results = join(dir, `group-${readGroup}`);
      assert.equal(await executeRun(await plannedRun(results, 33, 1e30), context(readGroup)), "diverged");
      written.push(await numbers(results));
    }
    const [each, grouped] = written;
    assert.ok(each.divergedAtStep !== null && each.divergedAtStep < 2 * READ_GROUP, `${each.divergedAtStep}`);
    assert.equal(each.metrics.at(-1)!.step, each.divergedAtStep);
    assert.equal(each.metrics.at(-1)!.loss, null, "a non-finite loss");
    assert.deepEqual(grouped, each);
  });
});

Deno.test("a run stopped by the user resumes to the numbers of an uninterrupted one, whatever the read group", async () => {
  await withTempDir(async (dir) => {
    const whole = join(dir, "whole");
    assert.equal(await executeRun(await plannedRun(whole, 33), context(READ_GROUP)), "finished");
    const stopped = join(dir, "stopped");
    let asked = 0;
    // Asked once per step: the stop comes at step 13, between checkpoints and off the read groups.
    const outcome = await executeRun(await plannedRun(stopped, 33), context(READ_GROUP, () => ++asked >= 13));
    assert.equal(outcome, "interrupted");
    const partial = await numbers(stopped);
    assert.equal(partial.progress.step, 13);
    assert.equal(await executeRun(await plannedRun(stopped, 33), context(0)), "finished");
    const [resumed] = await loadRuns(stopped);
    assert.equal(resumed.record.timings.resumes, 1);
    assert.deepEqual(await numbers(stopped), await numbers(whole));
  });
});
