import assert from "node:assert/strict";
import { pickScale, selectRuns } from "../../src/judge/select.ts";
import { loadRuns } from "../../src/results/io.ts";
import { writeRunRecord } from "../../src/results/io.ts";
import { writeFixtureSuite } from "../report/_fixtures.ts";

Deno.test("selection: one scale, newest run per activation × seed, missing and unfinished runs listed", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-select-" });
  try {
    const runs = await writeFixtureSuite({
      root,
      effects: { swiglu: 0, polynorm: -0.05 },
      seeds: [0, 1, 2],
      omit: ["polynorm/2"],
      status: { "swiglu/1": "running" },
    });
    // An older copy of swiglu s0 (another code version), and a smoke-scale run.
    const old = structuredClone(runs.find((r) => r.activation === "swiglu" && r.seed === 0)!.record);
    old.runId = "swiglu-s0-older";
    old.timings.updatedAt = "2024-06-01T00:00:00.000Z";
    await writeRunRecord(`${root}/fixture-dense/swiglu-s0-older`, old);
    const smoke = { ...old, runId: "swiglu-s0-smoke", scale: "smoke" as const };
    await writeRunRecord(`${root}/fixture-dense/swiglu-s0-smoke`, smoke);

    const all = await loadRuns(root);
    assert.equal(pickScale(all), "cpu");
    const s = selectRuns(all, {
      expected: { activations: ["polynorm", "swiglu", "gelu"], seeds: [0, 1, 2], source: "test" },
    });
    assert.equal(s.scale, "cpu");
    assert.equal(s.runs.length, 5);
    assert.equal(s.usable.length, 4);
    assert.equal(
      s.runs.find((r) => r.record.activation === "swiglu" && r.record.seed === 0)!.record.runId,
      "swiglu-s0-fixture",
    );
    assert.deepEqual(
      s.excluded.map((e) => [e.run.record.runId, e.reason.split(" ")[0]]).sort(),
      [["swiglu-s0-older", "superseded"], ["swiglu-s0-smoke", "scale"]],
    );
    assert.deepEqual(
      s.missing.map((m) => `${m.activation}/${m.seed}: ${m.reason}`),
      [
        "polynorm/2: no result",
        "swiglu/1: unfinished (step 100 of 200)",
        "gelu/0: no result",
        "gelu/1: no result",
        "gelu/2: no result",
      ],
    );
    assert.equal(selectRuns(all, { scale: "smoke" }).runs.length, 1);
    assert.throws(() => selectRuns([]), /exactly one suite/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
