import assert from "node:assert/strict";
import { BpeTokenizer, ByteTokenizer, loadCorpus, syntheticChain } from "../../src/data/mod.ts";
import { BRUTE_FORCE_LIMIT, evaluate, evaluateSource, openEvalSet, type SequenceScorer } from "../../src/eval/mod.ts";
import { EvalRow } from "../../src/results/schema.ts";
import { Rng } from "../../src/util/rng.ts";
import { markovScorer, uniformScorer } from "./_scorers.ts";

const cacheDir = await Deno.makeTempDir({ prefix: "polycom-eval-" });
globalThis.addEventListener("unload", () => Deno.removeSync(cacheDir, { recursive: true }));
const byte = new ByteTokenizer();

Deno.test("a uniform model scores exactly log V on every source, and the row fits EvalRow", async () => {
  const set = await openEvalSet({
    tokenizer: byte,
    sources: ["brown", "nlp-corpus", "synthetic"],
    seqLen: 64,
    valTokens: 4096,
    taskItems: 40,
    cacheDir,
  });
  const result = await evaluate(uniformScorer(259, 64), set);
  for (const source of ["brown", "nlp-corpus", "synthetic"]) {
    const m = result.sources[source];
    assert.ok(Math.abs(m.loss - Math.log(259)) < 1e-12, `${source} loss ${m.loss}`);
    assert.ok(Math.abs(m.ppl - 259) < 1e-9);
    assert.ok(Math.abs(m.bitsPerByte! - Math.log2(259)) < 1e-12, "byte tokens: bits/byte = loss / ln 2");
    assert.equal(m.accuracy, 0, "argmax is id 0, which never occurs in the text");
    assert.equal(m.tokens, Math.ceil(4096 / 63) * 63);
  }
  assert.equal(result.tasks.mc4.n, 40);
  EvalRow.parse({ step: 0, tokens: 0, ...result });
});

Deno.test("a uniform model scores exactly log V with a BPE; bits per byte use the tokens' bytes", async () => {
  const docs = (await loadCorpus("brown", { cacheDir })).splits.train.slice(0, 40).map((d) => d.text);
  const tok = BpeTokenizer.train(docs, { vocabSize: 512 });
  const set = await openEvalSet({
    tokenizer: tok,
    sources: ["brown"],
    seqLen: 48,
    valTokens: 3000,
    taskItems: 0,
    cacheDir,
  });
  const m = (await evaluate(uniformScorer(512), set)).sources.brown;
  assert.ok(Math.abs(m.loss - Math.log(512)) < 1e-12);
  const bytes = set.validation[0].windows.reduce(
    (s, w) => s + w.slice(1).reduce((t, id) => t + (id === tok.special.eos ? 1 : tok.byteLength(id)), 0),
    0,
  );
  assert.ok(Math.abs(m.bitsPerByte! - (m.loss * m.tokens) / (Math.LN2 * bytes)) < 1e-12);
  assert.ok(m.bitsPerByte! < Math.log2(512) / 2, "BPE tokens stand for several bytes each");
});

Deno.test("the exact Markov scorer reaches the synthetic source's Bayes limit", async () => {
  const seqLen = 64;
  const set = await openEvalSet({
    tokenizer: byte,
    sources: ["synthetic"],
    seqLen,
    valTokens: 20000,
    taskItems: 0,
    cacheDir,
  });
  const chain = syntheticChain();
  const m = await evaluateSource(markovScorer(chain, 259), set.validation[0], { batchSize: 64 });
  // ~20k scored symbols with a per-symbol sd of ~0.8 nats: standard error ~0.006.
  assert.ok(Math.abs(m.loss - chain.windowBayesLoss(seqLen)) < 0.03, `${m.loss} vs ${chain.windowBayesLoss(seqLen)}`);
  assert.ok(m.loss > chain.entropyRate());
  // Bayes accuracy with full context: Σ_s π(s) max_x p(x | s).
  const b = chain.config.branching;
  let bayesAccuracy = 0;
  for (let s = 0; s < chain.states; s++) {
    bayesAccuracy += chain.stationary[s] * Math.max(...chain.probs.subarray(s * b, s * b + b));
  }
  assert.ok(Math.abs(m.accuracy - bayesAccuracy) < 0.03, `accuracy ${m.accuracy} vs ~${bayesAccuracy}`);
});

/** A bigram model over a tiny vocabulary, without predict(). */
function bigramScorer(table: number[][]): SequenceScorer {
  return {
    vocabSize: table.length,
    logprobs: (seqs) => Promise.resolve(seqs.map((s) => s.slice(1).map((x, t) => Math.log(table[s[t]][x])))),
  };
}

Deno.test("without predict(), accuracy is computed exactly by scoring every vocabulary entry", async () => {
  const rng = new Rng(1);
  const v = 5;
  const table = Array.from({ length: v }, () => {
    const w = Array.from({ length: v }, () => rng.next() + 0.01);
    const z = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / z);
  });
  const windows = Array.from({ length: 12 }, () => Array.from({ length: 9 }, () => rng.int(v)));
  let correct = 0;
  for (const w of windows) {
    for (let t = 0; t + 1 < w.length; t++) {
      const row = table[w[t]];
      if (row.indexOf(Math.max(...row)) === w[t + 1]) correct++;
    }
  }
  const set = { source: "toy", windows, scoredTokens: 12 * 8, scoredBytes: 12 * 8, contentChecksum: "0" };
  const m = await evaluateSource(bigramScorer(table), set, { batchSize: 4 });
  assert.equal(m.accuracy, correct / (12 * 8));
  const big = { ...set, windows: Array.from({ length: 100 }, () => Array.from({ length: 200 }, () => 0)) };
  big.scoredTokens = 100 * 199;
  const wide = { ...bigramScorer(table), vocabSize: Math.ceil(BRUTE_FORCE_LIMIT / 1000) };
  await assert.rejects(() => evaluateSource(wide, big), /implement SequenceScorer.predict/);
});

Deno.test("a scorer returning the wrong shape is caught", async () => {
  const bad: SequenceScorer = { vocabSize: 3, logprobs: (s) => Promise.resolve(s.map((x) => x.map(() => -1))) };
  const set = { source: "toy", windows: [[0, 1, 2]], scoredTokens: 2, scoredBytes: 2, contentChecksum: "0" };
  await assert.rejects(() => evaluateSource(bad, set), /returned 3 log-probabilities for a sequence of 3 tokens/);
});
