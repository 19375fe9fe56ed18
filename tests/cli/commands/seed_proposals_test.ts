import assert from "node:assert/strict";
import { seedAdvice } from "../../../src/cli/commands/_seed_proposals.ts";
import { proposeSeeds } from "../../../src/judge/mod.ts";
import { loadRuns } from "../../../src/results/mod.ts";
import type { PlannedRun } from "../../../src/runner/plan.ts";
import { writeFixtureSuite } from "../../report/_fixtures.ts";
import { cli } from "../../runner/_cli.ts";

function planned(suite: string, scale: string, activations: string[], seeds: number[]): PlannedRun[] {
  return activations.flatMap((activation) =>
    seeds.map((seed) => ({ config: { suite, scale, activation, seed } }) as unknown as PlannedRun)
  );
}

Deno.test("seed advice: earlier results of the same suite and rung give the power analysis' seeds", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeFixtureSuite({
      root,
      suite: "dense",
      scale: "860k",
      effects: { swiglu: 0, polynorm: -0.004, gelu: 0.01 },
      seeds: [0, 1, 2],
      runNoise: 0.01,
    });
    const runs = await loadRuns(root);
    const expected = proposeSeeds(runs).find((p) =>
      p.claim === "dense.train_loss_gap" && p.comparison === "polynorm-vs-swiglu"
    )!;
    assert.ok(expected, "the fixture has a proposal to print");
    const lines = seedAdvice(planned("dense", "860k", ["polynorm", "swiglu"], [0]), runs);
    assert.match(lines[0], /^seeds from earlier results of dense at '860k' .*the plan keeps its 1 seed\):$/);
    const line = lines.find((l) => l.includes(`dense.train_loss_gap polynorm-vs-swiglu:`))!;
    const count = Number.isFinite(expected.seeds) ? `${expected.seeds} seeds` : "more than";
    assert.ok(line.includes(count) && line.includes(`over 3 seeds`), line);
    // Only comparisons between planned activations: GELU is not in this plan.
    assert.ok(!lines.some((l) => l.includes("gelu")), lines.join("\n"));
    // Another rung, or another suite, has no earlier results: no advice.
    assert.deepEqual(seedAdvice(planned("dense", "340k", ["polynorm", "swiglu"], [0, 1, 2]), runs), []);
    assert.deepEqual(seedAdvice(planned("moe", "860k", ["polynorm", "swiglu"], [0, 1, 2]), runs), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("reproduce --dry-run prints the seed advice and keeps the suite's seeds", async () => {
  const root = await Deno.makeTempDir();
  try {
    const scale = "smoke";
    await writeFixtureSuite({
      root,
      suite: "dense",
      scale,
      effects: { swiglu: 0, polynorm: -0.004 },
      seeds: [0, 1, 2],
    });
    const run = await cli([
      ...["reproduce", "--suite", "dense", "--scale", scale, "--backend", "cpu", "--dry-run"],
      ...["--results", root],
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /seeds from earlier results of dense at 'smoke' .*the plan keeps its 1 seed\)/);
    assert.match(run.stdout, /dense\.train_loss_gap polynorm-vs-swiglu: /);
    // The plan itself is unchanged: the smoke rung's one seed.
    assert.ok(!/seed 1 \|/.test(run.stdout), run.stdout);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
