import assert from "node:assert/strict";
import { claimVerdicts } from "../../src/judge/evaluate.ts";
import { combineVerdicts, pairedVerdict } from "../../src/judge/verdict.ts";
import { loadRuns } from "../../src/results/io.ts";
import { writeFixtureSuite } from "../report/_fixtures.ts";

Deno.test("the paired verdict rule on intervals", () => {
  const iv = (n: number, lo: number, hi: number) => ({ n, mean: (lo + hi) / 2, sd: 1, lo, hi });
  assert.equal(pairedVerdict(iv(3, -0.03, -0.01), "lower"), "reproduced");
  assert.equal(pairedVerdict(iv(3, 0.01, 0.03), "lower"), "contradicted");
  assert.equal(pairedVerdict(iv(3, -0.01, 0.02), "lower"), "inconclusive");
  assert.equal(pairedVerdict(iv(3, 0.01, 0.03), "higher"), "reproduced");
  assert.equal(pairedVerdict(iv(3, -0.03, -0.01), "higher"), "contradicted");
  assert.equal(pairedVerdict({ n: 1, mean: -5, sd: NaN, lo: NaN, hi: NaN }, "lower"), "inconclusive");
  assert.equal(pairedVerdict({ n: 0, mean: NaN, sd: NaN, lo: NaN, hi: NaN }, "lower"), "untested");
  assert.equal(combineVerdicts(["reproduced", "reproduced", "untested"]), "reproduced");
  assert.equal(combineVerdicts(["reproduced", "inconclusive"]), "inconclusive");
  assert.equal(combineVerdicts(["reproduced", "contradicted", "inconclusive"]), "contradicted");
  assert.equal(combineVerdicts(["untested"]), "untested");
  assert.equal(combineVerdicts([]), "untested");
});

async function verdictsFor(
  options: Parameters<typeof writeFixtureSuite>[0] extends infer O ? Omit<O & object, "root"> : never,
) {
  const root = await Deno.makeTempDir({ prefix: "polycom-verdict-" });
  try {
    await writeFixtureSuite({ root, ...options });
    return claimVerdicts(await loadRuns(root));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("clear improvement → reproduced, reversed → contradicted, noise → inconclusive", async () => {
  const v = await verdictsFor({
    // polynorm clearly better (paper's direction), polyrelu clearly worse (against it), relu indistinguishable from
    // swiglu (the paper says worse): with no effect, the run-to-run noise decides nothing.
    effects: { swiglu: 0, polynorm: -0.08, polyrelu: 0.08, relu: 0 },
    seeds: [0, 1, 2],
    runNoise: 0.015,
    seedNoise: 0.05,
  });
  assert.equal(v["dense.train_loss_gap/polynorm-vs-swiglu"], "reproduced");
  assert.equal(v["dense.train_loss_gap/polyrelu-vs-swiglu"], "contradicted");
  assert.equal(v["dense.train_loss_gap/relu-vs-swiglu"], "inconclusive");
  assert.equal(v["dense.train_loss_gap"], "contradicted");
  assert.equal(v["dense.train_speedup/polynorm-vs-swiglu"], "reproduced");
  assert.equal(v["dense.train_speedup/polyrelu-vs-swiglu"], "contradicted");
  assert.equal(v["dense.polynorm_vs_polyrelu/polynorm-vs-polyrelu"], "reproduced");
  // gelu is not in this suite: no key for its comparisons.
  assert.equal(v["dense.train_loss_gap/gelu-vs-swiglu"], undefined);
});

Deno.test("one seed → inconclusive however large the effect", async () => {
  const v = await verdictsFor({ effects: { swiglu: 0, polynorm: -0.3 }, seeds: [0] });
  assert.equal(v["dense.train_loss_gap/polynorm-vs-swiglu"], "inconclusive");
  assert.equal(v["dense.train_loss_gap"], "inconclusive");
});

Deno.test("MoE: per-source validation verdicts, any reversed source contradicts the claim", async () => {
  const v = await verdictsFor({
    suite: "fixture-moe",
    experiment: "moe_1B_active_7B_total",
    effects: { swiglu: 0, polynorm: -0.04 },
    seeds: [0, 1, 2],
    sources: { c4ish: 0.2, wiki: 0.1 },
    // On 'wiki' PolyNorm is worse despite the better training loss.
    sourceEffects: { polynorm: { wiki: 0.1 } },
  });
  assert.equal(v["moe.val_loss_gap/polynorm-vs-swiglu@c4ish"], "reproduced");
  assert.equal(v["moe.val_loss_gap/polynorm-vs-swiglu@wiki"], "contradicted");
  assert.equal(v["moe.val_loss_gap"], "contradicted");
  assert.equal(v["moe.train_loss_gap"], "reproduced");
});

Deno.test("several suites get prefixed keys", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-verdict-" });
  try {
    await writeFixtureSuite({ root, suite: "a", effects: { swiglu: 0, polynorm: -0.05 }, seeds: [0, 1] });
    await writeFixtureSuite({ root, suite: "b", effects: { swiglu: 0, polynorm: -0.05 }, seeds: [0, 1] });
    const v = claimVerdicts(await loadRuns(root));
    assert.ok("a:dense.train_loss_gap" in v && "b:dense.train_loss_gap" in v);
    assert.deepEqual(claimVerdicts([]), {});
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
