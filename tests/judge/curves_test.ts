import assert from "node:assert/strict";
import { finalTrainLoss } from "../../src/results/mod.ts";
import {
  bandOf,
  interpolate,
  smoothingWindow,
  speedupOf,
  tokensToReach,
  trailingMean,
  trainCurve,
} from "../../src/judge/curves.ts";
import { loadRuns } from "../../src/results/io.ts";
import { writeFixtureSuite } from "../report/_fixtures.ts";

Deno.test("trailing mean: growing window at the start, full window after", () => {
  assert.deepEqual(trailingMean([4, 2, 0, 2], 2), [4, 2, 1, 1]);
  assert.deepEqual(trailingMean([1, 2, 3, 4, 5, 6, 7], 3), [1, 2, 2.5, 3.5, 4, 5, 6]);
  assert.equal(smoothingWindow(300), 15);
  assert.equal(smoothingWindow(3), 1);
});

Deno.test("tokens to reach a target: first crossing, interpolated; null when never", () => {
  const c = { tokens: [0, 10, 20, 30], values: [3, 2, 1, 0.5] };
  assert.equal(tokensToReach(c, 1.5), 15);
  assert.equal(tokensToReach(c, 3), 0);
  assert.equal(tokensToReach(c, 0.1), null);
  // A noisy curve: the first crossing counts.
  // A dip that does not last is not a crossing: the curve stays below 1 only from 25 on.
  assert.equal(tokensToReach({ tokens: [0, 10, 20, 30], values: [2, 0.9, 1.2, 0.8] }, 1), 25);
  assert.equal(tokensToReach({ tokens: [0, 10, 20], values: [2, 0.9, 1.2] }, 1), null);
});

Deno.test("speed-up: reached (ratio ≥ 1) and the inverse reading when never reached (< 1)", () => {
  const base = { tokens: [0, 50, 100], values: [3, 2.5, 2] };
  const fast = { tokens: [0, 50, 100], values: [3, 2, 1.5] };
  assert.deepEqual(speedupOf(fast, base), { speedup: 2, reached: true, crossing: 50, budget: 100 });
  const slow = { tokens: [0, 50, 100], values: [3, 2.75, 2.5] };
  // slow never reaches 2; base reaches slow's 2.5 at 50 tokens → 50 / 100.
  assert.deepEqual(speedupOf(slow, base), { speedup: 0.5, reached: false, crossing: 50, budget: 100 });
  assert.equal(speedupOf({ tokens: [], values: [] }, base), null);
});

Deno.test("interpolation and seed bands", () => {
  assert.equal(interpolate({ tokens: [0, 10], values: [2, 4] }, 5), 3);
  assert.equal(interpolate({ tokens: [0, 10], values: [2, 4] }, 50), 4);
  const band = bandOf([{ tokens: [0, 10, 20], values: [2, 4, 6] }, { tokens: [0, 20], values: [4, 8] }]);
  assert.deepEqual(band.tokens, [0, 10, 20]);
  assert.deepEqual(band.mean, [3, 5, 7]);
  assert.deepEqual(band.min, [2, 4, 6]);
  assert.deepEqual(band.max, [4, 6, 8]);
  assert.equal(band.n, 2);
});

Deno.test("a run's smoothed training curve ends at its final training loss", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-curves-" });
  try {
    await writeFixtureSuite({ root, effects: { swiglu: 0 }, seeds: [0], steps: 120 });
    const [run] = await loadRuns(root);
    const curve = trainCurve(run);
    assert.equal(curve.values.length, 120);
    assert.ok(Math.abs(curve.values[119] - finalTrainLoss(run.metrics)) < 1e-12);
    // Independent: mean of the last 6 (5% of 120) CE values.
    const tail = run.metrics.slice(-6).map((m) => m.ce);
    assert.ok(Math.abs(curve.values[119] - tail.reduce((a, b) => a + b) / 6) < 1e-12);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
