import assert from "node:assert/strict";
import { claimVerdicts, type Comparison, evaluateClaims } from "../../src/judge/evaluate.ts";
import { selectRuns } from "../../src/judge/select.ts";
import { allPairsVerdict, countVerdicts, pairedVerdict, VERDICTS } from "../../src/judge/verdict.ts";
import { loadRuns } from "../../src/results/io.ts";
import { writeFixtureSuite } from "../report/_fixtures.ts";

Deno.test("the paired verdict rule on intervals, against 0 and the paper's effect", () => {
  const iv = (n: number, lo: number, hi: number) => ({ n, mean: (lo + hi) / 2, sd: 1, lo, hi });
  // Direction only (no published size).
  assert.equal(pairedVerdict(iv(3, -0.03, -0.01), "lower"), "reproduced");
  assert.equal(pairedVerdict(iv(3, 0.01, 0.03), "lower"), "contradicted");
  assert.equal(pairedVerdict(iv(3, -0.01, 0.02), "lower"), "inconclusive");
  assert.equal(pairedVerdict(iv(3, 0.01, 0.03), "higher"), "reproduced");
  assert.equal(pairedVerdict(iv(3, -0.03, -0.01), "higher"), "contradicted");
  // Against δ = -0.019 (lower is the paper's side).
  assert.equal(pairedVerdict(iv(3, -0.03, -0.01), "lower", -0.019), "reproduced", "contains δ");
  assert.equal(pairedVerdict(iv(3, -0.05, -0.03), "lower", -0.019), "reproduced", "beyond δ: larger");
  assert.equal(pairedVerdict(iv(3, -0.015, -0.002), "lower", -0.019), "reproduced, smaller");
  assert.equal(pairedVerdict(iv(3, -0.01, 0.02), "lower", -0.019), "smaller than published");
  assert.equal(pairedVerdict(iv(3, 0.01, 0.03), "lower", -0.019), "contradicted");
  assert.equal(pairedVerdict(iv(3, -0.035, 0.029), "lower", -0.019), "inconclusive");
  // Speed-ups on ln: the 1.002x [0.965, 1.039] against the paper's 1.458x is smaller than published.
  assert.equal(
    pairedVerdict(iv(3, Math.log(0.965), Math.log(1.039)), "higher", Math.log(1.458)),
    "smaller than published",
  );
  // A published size on the wrong side of the expected direction is no size to read against.
  assert.equal(pairedVerdict(iv(3, -0.01, 0.02), "lower", 0.019), "inconclusive");
  assert.equal(pairedVerdict({ n: 1, mean: -5, sd: NaN, lo: NaN, hi: NaN }, "lower", -0.019), "not judged");
  assert.equal(pairedVerdict({ n: 0, mean: NaN, sd: NaN, lo: NaN, hi: NaN }, "lower"), "untested");
  assert.equal(allPairsVerdict(["reproduced", "reproduced"]), "reproduced");
  assert.equal(allPairsVerdict(["reproduced", "not judged"]), "not judged");
  assert.equal(allPairsVerdict(["reproduced", "inconclusive", "not judged"]), "inconclusive");
  assert.equal(allPairsVerdict(["reproduced", "contradicted", "inconclusive"]), "contradicted");
  assert.equal(allPairsVerdict(["not judged", "untested"]), "not judged");
  assert.equal(allPairsVerdict(["untested"]), "untested");
  assert.equal(allPairsVerdict([]), "untested");
  assert.deepEqual(countVerdicts(["not judged", "reproduced", "not judged"]).filter(([, n]) => n > 0), [
    ["reproduced", 1],
    ["not judged", 2],
  ]);
  assert.equal(countVerdicts([]).length, VERDICTS.length);
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
  // relu has no effect; at this noise the interval holds both 0 and the paper's +0.025.
  assert.equal(v["dense.train_loss_gap/relu-vs-swiglu"], "inconclusive");
  // The claim's word is its headline comparison's (PolyNorm vs SwiGLU).
  assert.equal(v["dense.train_loss_gap"], "reproduced");
  assert.equal(v["dense.train_loss_ranking"], "contradicted");
  assert.equal(v["dense.train_speedup/polynorm-vs-swiglu"], "reproduced");
  assert.equal(v["dense.train_speedup/polyrelu-vs-swiglu"], "contradicted");
  assert.equal(v["dense.polynorm_vs_polyrelu/polynorm-vs-polyrelu"], "reproduced");
  // gelu is not in this suite: no key for its comparisons.
  assert.equal(v["dense.train_loss_gap/gelu-vs-swiglu"], undefined);
});

/** Runs of a suite, judged: its claim results and the comparisons of the training-loss gap by key. */
async function judged(options: Omit<Parameters<typeof writeFixtureSuite>[0], "root">) {
  const root = await Deno.makeTempDir({ prefix: "polycom-verdict-" });
  try {
    await writeFixtureSuite({ root, ...options });
    const runs = await loadRuns(root);
    const claims = evaluateClaims(selectRuns(runs));
    const gap = claims.find((r) => r.claim.id === "dense.train_loss_gap")!;
    return { claims, verdicts: claimVerdicts(runs), gap: new Map(gap.comparisons.map((c) => [c.key, c])) };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Where an interval lies against 0 and δ, in the paper's direction: the five readings, computed independently. */
function reading(c: Comparison): string {
  const sign = c.expected === "lower" ? -1 : 1;
  const [lo, hi] = [sign * c.interval.lo, sign * c.interval.hi].sort((a, b) => a - b);
  const delta = sign * c.effect!;
  if (hi < 0) return "contradicted";
  if (lo > 0) return hi >= delta ? "reproduced" : "reproduced, smaller";
  return hi < delta ? "smaller than published" : "inconclusive";
}

Deno.test("the five readings against the paper's gaps, a one-seed arm, and the summary counts", async () => {
  // Published training-loss gaps to SwiGLU: PolyNorm -0.019, PolyReLU -0.012, GELU +0.018, ReLU +0.025.
  const tight = await judged({
    // PolyNorm beyond the paper's gap; PolyReLU real but a third of it; GELU none (the paper: worse by 0.018);
    // ReLU better than SwiGLU (the paper: worse).
    effects: { swiglu: 0, polynorm: -0.03, polyrelu: -0.004, gelu: 0, relu: -0.02 },
    seeds: [0, 1, 2, 3, 4, 5],
    runNoise: 0.0005,
    stepNoise: 0.001,
  });
  const expected = {
    "polynorm-vs-swiglu": "reproduced",
    "polyrelu-vs-swiglu": "reproduced, smaller",
    "gelu-vs-swiglu": "smaller than published",
    "relu-vs-swiglu": "contradicted",
  };
  for (const [key, verdict] of Object.entries(expected)) {
    const c = tight.gap.get(key)!;
    assert.equal(c.verdict, verdict, `${key} ${JSON.stringify(c.interval)}`);
    assert.equal(reading(c), verdict, `${key}: the interval is where the verdict says`);
    assert.equal(c.power.decide, null, "only an inconclusive comparison asks for seeds");
  }
  assert.equal(tight.verdicts["dense.train_loss_gap"], "reproduced", "the headline's verdict");

  const noisy = await judged({
    // A real but small PolyNorm gain under a large run-to-run noise; PolyReLU finished one seed only.
    effects: { swiglu: 0, polynorm: -0.01, polyrelu: -0.3 },
    seeds: [0, 1, 2],
    runNoise: 0.02,
    omit: ["polyrelu/1", "polyrelu/2"],
  });
  const undecided = noisy.gap.get("polynorm-vs-swiglu")!;
  assert.equal(undecided.verdict, "inconclusive");
  assert.equal(reading(undecided), "inconclusive");
  assert.ok(undecided.power.decide!.seeds > 3 && undecided.power.decide!.basis === "paper", "names deciding seeds");
  const single = noisy.gap.get("polyrelu-vs-swiglu")!;
  assert.equal(single.pairs.length, 1);
  assert.equal(single.verdict, "not judged", "a one-seed comparison is a point estimate, however large");
  // The one-seed arm leaves the headline's word alone.
  assert.equal(noisy.verdicts["dense.train_loss_gap"], "inconclusive");
  assert.equal(noisy.verdicts["dense.polynorm_vs_polyrelu"], "not judged");

  // Counts for the summary: every category, zeros included.
  const counts = countVerdicts(noisy.claims.map((r) => r.verdict));
  assert.equal(counts.length, VERDICTS.length);
  assert.equal(counts.reduce((a, [, n]) => a + n, 0), noisy.claims.length);
});

Deno.test("one seed → not judged however large the effect", async () => {
  const v = await verdictsFor({ effects: { swiglu: 0, polynorm: -0.3 }, seeds: [0] });
  assert.equal(v["dense.train_loss_gap/polynorm-vs-swiglu"], "not judged");
  assert.equal(v["dense.train_loss_gap"], "not judged");
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
