/**
 * A comparison whose seed count a pilot chose is read at the adjusted level (its derivation by simulation is in
 * tests/runner/seed_choice_test.ts, beside the seed choice it adjusts for); every other comparison at 95%.
 */
import assert from "node:assert/strict";
import type { SeedChoice } from "../../src/results/plan.ts";
import {
  comparisonLevel,
  evaluateClaims,
  INTERVAL_LEVEL,
  levelText,
  minimumDetectableEffect,
  PILOT_ALPHAS,
  pilotLevel,
  POWER_TARGET,
  selectRuns,
  tInterval,
  VERDICT_RULE,
} from "../../src/judge/mod.ts";
import { loadRuns } from "../../src/results/io.ts";
import { writeFixtureSuite } from "../report/_fixtures.ts";

const choice: SeedChoice = {
  rule: "power from the pilot",
  pair: ["polynorm", "swiglu"],
  pilotSd: 0.013,
  level: pilotLevel(6, 12),
  target: 8,
  chosen: 8,
  cap: 12,
  reason: "…",
};

const PILOT_LEVEL = pilotLevel(6, 12);

Deno.test("the pilot level is 1 − 2α' of the seed range, the most cautious tabulated α' for another range", () => {
  assert.equal(PILOT_LEVEL, 1 - 2 * PILOT_ALPHAS["6-12"]);
  assert.ok(PILOT_LEVEL > INTERVAL_LEVEL && PILOT_LEVEL < 1);
  assert.equal(pilotLevel(2, 5), 1 - 2 * Math.min(...Object.values(PILOT_ALPHAS)));
  assert.equal(levelText(PILOT_LEVEL), `${Number((PILOT_LEVEL * 100).toFixed(2))}%`);
  assert.equal(levelText(0.95), "95%");
});

Deno.test("the adjusted level applies to the pilot-chosen pair only, in either order", () => {
  assert.equal(comparisonLevel(choice, "polynorm", "swiglu"), PILOT_LEVEL);
  assert.equal(comparisonLevel(choice, "swiglu", "polynorm"), PILOT_LEVEL);
  assert.equal(comparisonLevel(choice, "polyrelu", "swiglu"), INTERVAL_LEVEL);
  assert.equal(comparisonLevel(undefined, "polynorm", "swiglu"), INTERVAL_LEVEL);
  // The suite's minimum, with no pilot SD: a fixed count, nothing to adjust for.
  const { pilotSd: _, ...fixed } = choice;
  assert.equal(comparisonLevel(fixed, "polynorm", "swiglu"), INTERVAL_LEVEL);
  // A plan record without the pair (older records) adjusts nothing.
  const { pair: __, ...unnamed } = choice;
  assert.equal(comparisonLevel(unnamed, "polynorm", "swiglu"), INTERVAL_LEVEL);
  assert.ok(
    VERDICT_RULE.includes("pilot's paired SD (the headline pair), that pair's intervals are at a level above 95%"),
  );
  // A choice recorded without its level (older records) adjusts nothing.
  const { level: ___, ...unleveled } = choice;
  assert.equal(comparisonLevel(unleveled, "polynorm", "swiglu"), INTERVAL_LEVEL);
});

Deno.test("the judge reads the pilot-chosen pair's comparisons at the adjusted level, their power too", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeFixtureSuite({
      root,
      effects: { swiglu: 0, polynorm: -0.03, polyrelu: -0.01 },
      seeds: [0, 1, 2, 3],
      runNoise: 0.01,
    });
    const runs = await loadRuns(root);
    const plain = selectRuns(runs);
    const chosen = selectRuns(runs, { expected: { ...plain.expected, seedChoice: choice } });
    const gap = (selection: typeof plain) =>
      evaluateClaims(selection).find((r) => r.claim.id === "dense.train_loss_gap")!.comparisons;
    const before = gap(plain);
    const after = gap(chosen);
    const head = after.find((c) => c.key === "polynorm-vs-swiglu")!;
    const d = head.pairs.map((p) => p.d);
    assert.equal(head.level, PILOT_LEVEL);
    assert.deepEqual(head.interval, tInterval(d, PILOT_LEVEL));
    // Wider than the 95% interval of the same differences, around the same mean.
    const plainHead = before.find((c) => c.key === "polynorm-vs-swiglu")!;
    assert.equal(plainHead.level, INTERVAL_LEVEL);
    assert.ok(head.interval.lo < plainHead.interval.lo && head.interval.hi > plainHead.interval.hi);
    assert.equal(head.power.mde, minimumDetectableEffect(head.power.sd, d.length, POWER_TARGET, PILOT_LEVEL));
    assert.ok(head.power.mde > plainHead.power.mde);
    // Every other pair keeps 95%; every comparison of the pair, on any measure, is adjusted.
    const all = evaluateClaims(chosen).flatMap((r) => r.comparisons);
    const ofPair = (c: { activation: string; versus: string }) =>
      [c.activation, c.versus].sort().join() === "polynorm,swiglu";
    assert.ok(all.some((c) => !ofPair(c)) && all.filter(ofPair).length > 1);
    for (const c of all) assert.equal(c.level, ofPair(c) ? PILOT_LEVEL : INTERVAL_LEVEL, c.key);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
