/**
 * The headline's seed choice, simulated: 10,000 experiments per paired SD and true effect, each a pilot of three
 * paired seeds, the seed choice from the pilot's SD (the judge's rule, the dense suite's range), the remaining
 * seeds, and the report's interval over all of them (the judge's tInterval, with its t quantile looked up once per
 * seed count).
 *
 * "Reproduced" here: the 95% t interval lies wholly below 0 (the paper's side) and reaches δ (its lower end at or
 * below δ). The false-positive check counts every interval wholly below 0, the looser event.
 */
import assert from "node:assert/strict";
import { mean, sampleSd, studentTQuantile } from "../../src/judge/mod.ts";
import { chooseSeeds, PILOT_SEEDS, seedList } from "../../src/runner/seed_choice.ts";
import { judgeSeedRule } from "../../src/cli/commands/_seed_rule.ts";
import { loadSuites } from "../../src/suite/load.ts";

/** A seeded uniform generator (mulberry32), so the simulation is the same on every run. */
function uniform(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXPERIMENTS = 10_000;
const [{ suite: dense }] = await loadSuites("dense");
const headline = dense.headline!;
const delta = headline.paperEffect;
const rule = judgeSeedRule();
const quantiles: number[] = [];
/** The judge's 95% t interval (stats.ts tInterval), its quantile memoized: the simulation makes 100,000 of them. */
function interval(d: readonly number[]): { lo: number; hi: number } {
  const half = (quantiles[d.length] ??= studentTQuantile(0.975, d.length - 1)) * sampleSd(d) / Math.sqrt(d.length);
  return { lo: mean(d) - half, hi: mean(d) + half };
}

/** Rates of "wholly below 0" and "reproduced" over the experiments, and the mean seeds chosen. */
function simulate(sd: number, effect: number, choose: boolean, seed: number) {
  const u = uniform(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  let below = 0;
  let reproduced = 0;
  let seeds = 0;
  for (let i = 0; i < EXPERIMENTS; i++) {
    const d = Array.from({ length: PILOT_SEEDS }, () => effect + sd * gauss());
    const n = choose
      ? chooseSeeds(headline, { sd: rule.sd(d), n: d.length }, headline.maxSeeds, rule).chosen
      : headline.minSeeds;
    while (d.length < n) d.push(effect + sd * gauss());
    const { lo, hi } = interval(d);
    if (hi < 0) below++;
    if (hi < 0 && lo <= delta) reproduced++;
    seeds += n;
  }
  return { below: below / EXPERIMENTS, reproduced: reproduced / EXPERIMENTS, seeds: seeds / EXPERIMENTS };
}

/** Three binomial standard errors of a rate p over the experiments. */
const error3 = (p: number) => 3 * Math.sqrt((p * (1 - p)) / EXPERIMENTS);

Deno.test("the simulation is right where the answer is known: fixed seeds give a 2.5% one-sided false rate", () => {
  const fixed = simulate(0.013, 0, false, 1);
  assert.ok(Math.abs(fixed.below - 0.025) <= error3(0.025), `${fixed.below}`);
});

Deno.test("seeds from the pilot's SD: the false rate stays near 2.5% and the power as planned", () => {
  const lines: string[] = [];
  for (const [i, sd] of [0.008, 0.013, 0.016, 0.02, 0.03].entries()) {
    const nul = simulate(sd, 0, true, 100 + i);
    const alt = simulate(sd, delta, true, 200 + i);
    lines.push(`sd ${sd}: false ${nul.below}, reproduced ${alt.reproduced}, seeds ${alt.seeds.toFixed(2)}`);
    // Choosing n from a 3-seed pilot's SD lets small pilots pick fewer seeds whose pooled SD is then small too: the
    // one-sided rate rises by up to about a point over 2.5% (the internal-pilot effect, largest where the true SD
    // needs about the cap). The bound states that, with the simulation's error on top.
    assert.ok(nul.below <= 0.035 + error3(0.035), lines.join("\n"));
    assert.ok(nul.reproduced <= nul.below);
    // Power as planned where the suite's range holds the seeds the true SD needs (sd ≤ 0.016: 9 seeds or fewer);
    // beyond it the cap and a 3-seed pilot's noisy SD give less, and the report's power table says so.
    if (sd <= 0.016) assert.ok(alt.reproduced >= 0.8 - error3(0.8), lines.join("\n"));
    assert.ok(alt.seeds >= headline.minSeeds && alt.seeds <= headline.maxSeeds);
  }
  console.log(lines.join("\n"));
});

Deno.test("the seed list keeps the suite's seeds and adds the next free ones", () => {
  assert.deepEqual(seedList([0, 1, 2], 6), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(seedList([7, 1], 4), [7, 1, 0, 2]);
  assert.deepEqual(seedList([0, 1, 2], 2), [0, 1]);
});
