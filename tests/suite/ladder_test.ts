import assert from "node:assert/strict";
import { countParameters, PAPER_DENSE_1B, PAPER_MOE_1B7B } from "../../src/model/mod.ts";
import { resolveConfig, resolveRung } from "../../src/runner/plan.ts";
import { rungName } from "../../src/suite/ladder.ts";
import { loadSuites } from "../../src/suite/load.ts";
import { DENSE_LADDER } from "../../suites/dense.ts";
import { MOE_LADDER } from "../../suites/moe.ts";

Deno.test("each ladder grows about 3-4x in training compute per rung, from the old cpu scale to the paper", () => {
  for (const ladder of [DENSE_LADDER, MOE_LADDER]) {
    assert.equal(ladder.at(-1)!.name, "paper");
    assert.ok(ladder.length >= 10, `${ladder.length} rungs`);
    for (let i = 1; i < ladder.length; i++) {
      const ratio = ladder[i].flops / ladder[i - 1].flops;
      assert.ok(ratio >= 3 && ratio <= 4.5, `${ladder[i - 1].name} → ${ladder[i].name}: ${ratio.toFixed(2)}×`);
      assert.ok(ladder[i].params >= ladder[i - 1].params, `${ladder[i].name} is not larger`);
    }
    assert.equal(new Set(ladder.map((r) => r.name)).size, ladder.length, "rung names are unique");
  }
});

Deno.test("rungs are named after their parameter count", () => {
  assert.equal(rungName(857_984), "860k");
  assert.equal(rungName(12_400_000), "12m");
  assert.equal(rungName(1_345_423_360), "1.3b");
  for (const rung of [...DENSE_LADDER, ...MOE_LADDER].filter((r) => r.name !== "paper")) {
    assert.ok([2, 3, 4, 5].some((digits) => rungName(rung.params, digits) === rung.name), rung.name);
  }
});

Deno.test("the paper rungs are the paper configurations of src/model/build_config.ts", async () => {
  const [dense] = await loadSuites("dense");
  const [moe] = await loadSuites("moe");
  for (const activation of dense.suite.activations) {
    assert.deepEqual(resolveConfig(dense.suite, "paper", activation, 1234).model, PAPER_DENSE_1B(activation));
  }
  for (const activation of moe.suite.activations) {
    assert.deepEqual(resolveConfig(moe.suite, "paper", activation, 6198).model, PAPER_MOE_1B7B(activation));
  }
  const paper = resolveConfig(dense.suite, "paper", "swiglu", 1234);
  assert.ok(Math.abs(paper.train.steps * paper.train.tokensPerStep - 250e9) < paper.train.tokensPerStep);
});

Deno.test("the dense ladder has the rung that decides: >= 0.8M parameters on >= 1.6M tokens", async () => {
  const [dense] = await loadSuites("dense");
  const c = resolveConfig(dense.suite, "860k", "polynorm", 0);
  assert.ok(countParameters(c.model).total >= 0.8e6, `${countParameters(c.model).total}`);
  assert.ok(c.train.steps * c.train.tokensPerStep >= 1.6e6);
  assert.deepEqual([c.model.hidden_size, c.model.num_hidden_layers], [128, 4]);
});

Deno.test("the old cpu and gpu scales are aliases of rungs, with a notice; every rung carries its manifest", async () => {
  for (const name of ["dense", "moe"]) {
    const [{ suite }] = await loadSuites(name);
    const cpu = resolveRung(suite, "cpu");
    assert.equal(cpu.rung, Object.keys(suite.scales)[1]);
    assert.match(cpu.notice!, /scale 'cpu' is now the rung/);
    const c = resolveConfig(suite, cpu.rung, "swiglu", 0);
    // The old cpu scale: d64 × 2 layers, 16 × 64 tokens per step, 400 steps.
    assert.deepEqual([c.model.hidden_size, c.model.num_hidden_layers, c.train.steps, c.train.tokensPerStep], [
      64,
      2,
      400,
      1024,
    ]);
    assert.ok(resolveRung(suite, "gpu").rung in suite.scales);
    assert.equal(resolveRung(suite, "smoke").notice, null);
    for (const [rung, config] of Object.entries(suite.scales)) assert.ok(config.manifest?.length, `${name}/${rung}`);
  }
  const [{ suite }] = await loadSuites("dense");
  assert.throws(() => resolveRung(suite, "huge"), /unknown scale 'huge' for suite 'dense'/);
});
