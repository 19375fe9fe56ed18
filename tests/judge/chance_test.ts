import assert from "node:assert/strict";
import { downstreamUntestable, taskChances, wilsonInterval } from "../../src/judge/chance.ts";
import { evaluateClaims } from "../../src/judge/evaluate.ts";
import { selectRuns } from "../../src/judge/select.ts";
import { loadRuns } from "../../src/results/io.ts";
import { writeFixtureSuite } from "../report/_fixtures.ts";

Deno.test("Wilson interval: ±3 points at 1,000 items around a 1/4 chance level", () => {
  const { lo, hi } = wilsonInterval(250, 1000);
  assert.ok(Math.abs(lo - 0.22415) < 1e-4 && Math.abs(hi - 0.27769) < 1e-4, `${lo} ${hi}`);
  assert.ok(hi - lo < 0.06);
  assert.ok(Number.isNaN(wilsonInterval(0, 0).lo));
});

Deno.test("tasks against chance from the result files; downstream on tasks at chance is untestable", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-chance-" });
  try {
    await writeFixtureSuite({ root, effects: { swiglu: 0, polynorm: -0.05 }, seeds: [0, 1, 2] });
    const runs = await loadRuns(root);
    const chances = taskChances(runs);
    const by = Object.fromEntries(chances.map((t) => [t.task, t]));
    // The fixture's mc4 ends well above 1/4, its lastword4 at 1/4.
    assert.equal(by.mc4.chance, 0.25);
    assert.equal(by.mc4.aboveChance, true);
    assert.equal(by.lastword4.aboveChance, false);
    assert.equal(by.mc4.items, 100);
    const polynorm = by.mc4.scores.find((s) => s.activation === "polynorm")!;
    assert.equal(polynorm.items, 300, "pooled over three runs");
    assert.equal(downstreamUntestable(chances), false);
    const judged = evaluateClaims(selectRuns(runs)).find((r) => r.claim.id === "dense.downstream")!;
    assert.notEqual(judged.verdict, "untestable at this size");

    // Every task at chance: the downstream claim cannot be tested at this size, whatever its interval says.
    for (const run of runs) for (const row of run.evals) for (const t of Object.values(row.tasks)) t.acc = 0.25;
    assert.equal(downstreamUntestable(taskChances(runs)), true);
    const untestable = evaluateClaims(selectRuns(runs)).find((r) => r.claim.id === "dense.downstream")!;
    assert.equal(untestable.verdict, "untestable at this size");
    assert.ok(untestable.comparisons.every((c) => c.verdict === "untestable at this size" && c.power.decide === null));
    // Without a stated chance level nothing is claimed about chance.
    for (const run of runs) for (const row of run.evals) for (const t of Object.values(row.tasks)) delete t.chance;
    assert.ok(taskChances(runs).every((t) => t.chance === null && t.aboveChance === null));
    assert.equal(downstreamUntestable(taskChances(runs)), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
