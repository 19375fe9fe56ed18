/**
 * Each shipped suite's headline δ is the published effect the report judges it against: the paper's final
 * training-loss gap between its first two activations, as src/judge reads it from src/published. The runner may
 * not load either (its code is hashed into run ids), so the suite states δ and this test keeps the two equal.
 */
import assert from "node:assert/strict";
import { CLAIMS, paperEffect } from "../../src/judge/mod.ts";
import { loadSuites } from "../../src/suite/load.ts";
import { UsageError } from "../../src/util/errors.ts";
import { validateSuite } from "../../src/suite/load.ts";

const CLAIM_OF = { dense: "dense.train_loss_gap", moe: "moe.train_loss_gap" } as const;

Deno.test("the dense and MoE suites' headline δ equals the published training-loss gap", async () => {
  for (const name of ["dense", "moe"] as const) {
    const [{ suite }] = await loadSuites(name);
    const claim = CLAIMS.find((c) => c.id === CLAIM_OF[name])!;
    const [activation, versus] = suite.activations;
    const comparison = claim.test && "comparisons" in claim.test
      ? claim.test.comparisons.find((c) => c.activation === activation && c.versus === versus)
      : undefined;
    assert.ok(comparison, `${claim.id} has no ${activation} vs ${versus} comparison`);
    const published = paperEffect(claim, { ...comparison, measure: claim.measure });
    assert.ok(published !== null && suite.headline, name);
    assert.ok(
      Math.abs(suite.headline.paperEffect - published) < 1e-12,
      `${name}: ${suite.headline.paperEffect} vs ${published}`,
    );
  }
});

Deno.test("a headline with more minimum than maximum seeds, or a repeated sweep multiplier, is a clear error", async () => {
  const [{ suite }] = await loadSuites("dense");
  assert.throws(
    () => validateSuite({ ...suite, headline: { paperEffect: -0.019, minSeeds: 8, maxSeeds: 6 } }, "x.ts"),
    (e: unknown) => e instanceof UsageError && /minSeeds 8 exceeds maxSeeds 6/.test(e.message),
  );
  assert.throws(
    () => validateSuite({ ...suite, lrSweep: [1, 1] }, "x.ts"),
    (e: unknown) => e instanceof UsageError && /lrSweep.*listed twice/.test(e.message),
  );
  assert.throws(
    () => validateSuite({ ...suite, initSweep: [1], sweep: [2] }, "x.ts"),
    (e: unknown) => e instanceof UsageError && /'sweep'/.test(e.message),
  );
});
