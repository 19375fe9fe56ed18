import assert from "node:assert/strict";
import { DEFAULT_MARKOV, MarkovSource, syntheticLimits, syntheticText } from "../../src/data/mod.ts";
import { closedClasses } from "../../src/data/synthetic/_closed_classes.ts";

const chain = MarkovSource.create(DEFAULT_MARKOV);
const N = 2_000_000;
const { symbols, start } = chain.sample(N, 99);

Deno.test("stationary distribution: sums to 1 and is invariant under the chain", () => {
  const { states, stationary, next, probs } = chain;
  const b = DEFAULT_MARKOV.branching;
  const a = DEFAULT_MARKOV.alphabet.length;
  assert.ok(Math.abs(stationary.reduce((s, p) => s + p, 0) - 1) < 1e-12);
  const out = new Float64Array(states);
  for (let s = 0; s < states; s++) {
    for (let j = 0; j < b; j++) out[(s * a + next[s * b + j]) % states] += stationary[s] * probs[s * b + j];
  }
  let diff = 0;
  for (let s = 0; s < states; s++) diff += Math.abs(out[s] - stationary[s]);
  assert.ok(diff < 1e-10, `‖πP − π‖₁ = ${diff}`);
});

Deno.test("measured entropy matches the computed entropy rate", () => {
  const rate = chain.entropyRate();
  assert.ok(rate > 0.5 && rate < 2, `rate ${rate}`);
  // 1. Shannon-McMillan-Breiman: −(1/n) log p(sample) → rate.
  let state = start;
  let nll = 0;
  for (const x of symbols) {
    nll -= chain.logProb(state, x);
    state = chain.step(state, x);
  }
  assert.ok(Math.abs(nll / N - rate) < 0.006, `sample log-loss ${nll / N} vs rate ${rate}`);
  // 2. Plug-in conditional entropy from (k+1)-gram counts: uses no model probability at all.
  const k = DEFAULT_MARKOV.order;
  const a = DEFAULT_MARKOV.alphabet.length;
  const joint = new Map<number, number>();
  const ctx = new Map<number, number>();
  let s = 0;
  for (let i = 0; i < N; i++) {
    if (i >= k) {
      ctx.set(s, (ctx.get(s) ?? 0) + 1);
      joint.set(s * a + symbols[i], (joint.get(s * a + symbols[i]) ?? 0) + 1);
    }
    s = (s * a + symbols[i]) % a ** k;
  }
  let plugIn = 0;
  for (const [key, c] of joint) plugIn -= (c / (N - k)) * Math.log(c / ctx.get(Math.floor(key / a))!);
  assert.ok(Math.abs(plugIn - rate) < 0.01, `plug-in ${plugIn} vs rate ${rate}`);
  // 3. The exposed limits agree.
  assert.equal(syntheticLimits().entropyRateNats, rate);
  assert.ok(Math.abs(syntheticLimits().entropyRateBitsPerByte - rate / Math.LN2) < 1e-15);
});

Deno.test("block entropies and the window Bayes loss match the sample", () => {
  const a = DEFAULT_MARKOV.alphabet.length;
  const counts = new Float64Array(a * a);
  for (let i = 0; i + 1 < N; i++) counts[symbols[i] * a + symbols[i + 1]]++;
  let h2 = 0;
  for (const c of counts) if (c > 0) h2 -= (c / (N - 1)) * Math.log(c / (N - 1));
  assert.ok(Math.abs(h2 - chain.blockEntropy(2)) < 0.005, `H2 ${h2} vs ${chain.blockEntropy(2)}`);
  assert.equal(chain.conditionalEntropy(0), chain.blockEntropy(1));
  assert.equal(chain.conditionalEntropy(DEFAULT_MARKOV.order), chain.entropyRate());
  // Less context, more uncertainty; long windows approach the rate.
  for (let t = 1; t <= DEFAULT_MARKOV.order; t++) {
    assert.ok(chain.conditionalEntropy(t) <= chain.conditionalEntropy(t - 1) + 1e-12);
  }
  assert.ok(chain.windowBayesLoss(64) > chain.windowBayesLoss(1024));
  assert.ok(chain.windowBayesLoss(1024) - chain.entropyRate() < 0.01);
});

Deno.test("the chain and its text are deterministic", () => {
  const again = MarkovSource.create(DEFAULT_MARKOV);
  assert.deepEqual(again.probs, chain.probs);
  assert.equal(syntheticText("validation"), syntheticText("validation"));
  assert.notEqual(syntheticText("validation").slice(0, 200), syntheticText("test").slice(0, 200));
  assert.match(syntheticText("validation").slice(0, 1000), /^[ a-o]+$/);
  const other = MarkovSource.create({ ...DEFAULT_MARKOV, seed: 1 });
  assert.notDeepEqual(other.probs, chain.probs);
});

Deno.test("closed classes: transient states are not closed, two sinks are two classes", () => {
  assert.deepEqual(closedClasses(3, (v) => [[1], [0], [0]][v]), [[0, 1]]);
  assert.deepEqual(closedClasses(4, (v) => [[1, 2], [1], [3], [2]][v]).sort(), [[1], [2, 3]]);
});
