import assert from "node:assert/strict";
import { BpeTokenizer, ByteTokenizer, loadCorpus, type Tokenizer } from "../../src/data/mod.ts";
import {
  encodePair,
  evaluateTask,
  loadLastWordItems,
  loadMcItems,
  mcLimits,
  type PreparedTask,
  prepareMc,
  type SequenceScorer,
} from "../../src/eval/mod.ts";
import { oracleScorer, uniformScorer, unigramScorer } from "./_scorers.ts";

const cacheDir = await Deno.makeTempDir({ prefix: "polycom-tasks-" });
globalThis.addEventListener("unload", () => Deno.removeSync(cacheDir, { recursive: true }));
const corpora = [await loadCorpus("brown", { cacheDir }), await loadCorpus("nlp-corpus", { cacheDir })];
const seqLen = 256;
const mc = await loadMcItems({ corpora, n: 400, seed: 0, seqLen, cacheDir });
const byte = new ByteTokenizer();
const encoder = new TextEncoder();

function trueSequences(task: PreparedTask): number[][] {
  return task.items.map((item) => item.choices[item.label].tokens);
}

Deno.test("mc4 items: held-out, fixed by seed, equal-length endings from other documents", async () => {
  assert.equal(mc.items.length, 400);
  assert.equal(mc.items.filter((i) => i.source === "brown").length, 200);
  const again = await loadMcItems({ corpora, n: 400, seed: 0, seqLen, cacheDir: `${cacheDir}/fresh` });
  assert.equal(again.checksum, mc.checksum);
  assert.notEqual((await loadMcItems({ corpora, n: 400, seed: 1, seqLen, cacheDir })).checksum, mc.checksum);
  const testDocs = new Map(corpora.flatMap((c) => c.splits.test.map((d) => [d.id, d.text])));
  const limits = mcLimits(seqLen);
  for (const item of mc.items) {
    const [docId] = item.id.split("#");
    const text = testDocs.get(docId);
    assert.ok(text, `${docId} is a test-split document`);
    assert.ok(text.includes(`${item.context} ${item.endings[item.label]}`), "context + true ending is the text");
    const lengths = item.endings.map((e) => encoder.encode(e).length);
    assert.ok(lengths.every((l) => l === lengths[0]), "endings have equal byte lengths");
    assert.ok(lengths[0] + 1 <= limits.continuationBytes);
    assert.ok(encoder.encode(item.context).length <= limits.contextBytes);
    assert.equal(new Set(item.endings).size, 4);
    for (const [k, e] of item.endings.entries()) {
      if (k !== item.label) assert.equal(text.includes(`${item.context} ${e}`), false);
    }
  }
  const labels = [0, 1, 2, 3].map((l) => mc.items.filter((i) => i.label === l).length);
  assert.ok(labels.every((n) => n > 70), `labels ${labels}`);
});

Deno.test("mc4: a uniform model is at chance, an oracle is perfect", async () => {
  const task = prepareMc(mc, byte, seqLen);
  // Equal byte lengths: all four log-likelihoods tie exactly and argmax takes the first ending.
  const uniform = await evaluateTask(uniformScorer(259, seqLen), task);
  const firstIsRight = mc.items.filter((i) => i.label === 0).length / mc.items.length;
  assert.equal(uniform.acc, firstIsRight);
  for (const v of [uniform.acc, uniform.accNorm!]) assert.ok(Math.abs(v - 0.25) < 0.08, `uniform ${v}`);
  const oracle = await evaluateTask(oracleScorer(259, trueSequences(task)), task);
  assert.equal(oracle.acc, 1);
  assert.equal(oracle.accNorm, 1);
  assert.equal(oracle.n, 400);
  assert.equal(oracle.itemsChecksum, mc.checksum);
});

Deno.test("mc4: a model that ignores the context stays near chance (length gives nothing away)", async () => {
  const train = corpora.flatMap((c) => c.splits.train.slice(0, 200)).map((d) => d.text).join("\n");
  const tok = BpeTokenizer.train([train], { vocabSize: 700 });
  const task = prepareMc(mc, tok, seqLen);
  const unigram = await evaluateTask(unigramScorer(700, tok.encode(train)), task);
  // 400 items: sd of a chance accuracy is 0.022.
  assert.ok(Math.abs(unigram.acc - 0.25) < 0.09, `unigram acc ${unigram.acc}`);
  assert.ok(Math.abs(unigram.accNorm! - 0.25) < 0.09, `unigram acc_norm ${unigram.accNorm}`);
  const uniform = await evaluateTask(uniformScorer(700), task);
  assert.ok(Math.abs(uniform.acc - 0.25) < 0.09, `uniform BPE acc ${uniform.acc}`);
});

Deno.test("acc takes the largest log-likelihood, acc_norm the largest per character (the harness)", async () => {
  // Ending 0: 1 char, 2 tokens at -1 each (ll -2, -2/char). Ending 1: 10 chars, 4 tokens at -0.75 (ll -3, -0.3/char).
  const task: PreparedTask = {
    name: "mc4",
    itemsChecksum: "x",
    chance: 0.5,
    items: [
      {
        label: 0,
        choiceChars: [1, 10],
        choices: [{ tokens: [9, 1, 1], contStart: 1 }, { tokens: [9, 2, 2, 2, 2], contStart: 1 }],
      },
      {
        label: 1,
        choiceChars: [1, 10],
        choices: [{ tokens: [9, 1, 1], contStart: 1 }, { tokens: [9, 2, 2, 2, 2], contStart: 1 }],
      },
    ],
  };
  const scorer: SequenceScorer = {
    vocabSize: 10,
    logprobs: (seqs) => Promise.resolve(seqs.map((s) => s.slice(1).map((x) => (x === 1 ? -1 : -0.75)))),
  };
  const m = await evaluateTask(scorer, task);
  assert.equal(m.acc, 0.5); // item 0 right by raw ll
  assert.equal(m.accNorm, 0.5); // item 1 right by ll per char
  const swapped = { ...task, items: [task.items[1]] };
  assert.deepEqual(await evaluateTask(scorer, swapped), { acc: 0, accNorm: 1, n: 1, itemsChecksum: "x", chance: 0.5 });
});

Deno.test("encodePair: continuation tokens are what follows the context, cut on the left to fit", () => {
  const docs = corpora[0].splits.train.slice(0, 10).map((d) => d.text);
  const tokenizers: Tokenizer[] = [byte, BpeTokenizer.train(docs, { vocabSize: 400 })];
  for (const tok of tokenizers) {
    const r = encodePair(tok, "The jury said it", " did find that", 64);
    assert.equal(tok.decode(r.tokens.slice(r.contStart)), " did find that");
    assert.equal(tok.decode(r.tokens.slice(0, r.contStart)), "The jury said it");
    const cut = encodePair(tok, "word ".repeat(40) + "end", " of it", 16);
    assert.equal(cut.tokens.length, 16);
    assert.equal(tok.decode(cut.tokens.slice(cut.contStart)), " of it");
    assert.throws(() => encodePair(tok, "a", " " + "long ".repeat(20), 8), /does not fit/);
  }
  const empty = encodePair(byte, "", "hi", 8);
  assert.deepEqual(empty, { tokens: [258, 104, 105], contStart: 1 });
});

Deno.test("lastword4 at the default window: 1,000 four-way items of equal-length words, chance 1/4", async () => {
  const window = 128;
  const set = await loadLastWordItems({ corpora, n: 1000, seed: 0, seqLen: window, cacheDir });
  assert.equal(set.items.length, 1000);
  const testDocs = new Map(corpora.flatMap((c) => c.splits.test.map((d) => [d.id, d.text])));
  for (const item of set.items) {
    const [docId, offset] = item.id.split("#");
    const text = testDocs.get(docId)!;
    const at = Number(offset);
    assert.ok(text.slice(at).startsWith(item.endings[item.label]), "the true word is the text's");
    assert.ok(text.slice(0, at).trimEnd().endsWith(item.context), "the context is the text before it");
    assert.equal(new Set(item.endings).size, 4);
    const lengths = item.endings.map((e) => encoder.encode(e).length);
    assert.ok(lengths.every((l) => l === lengths[0]), "words have equal byte lengths");
    for (const e of item.endings) assert.match(e, /^[A-Za-z]{4,}$/);
    assert.ok(encoder.encode(item.context).length + 1 + lengths[0] < window);
  }
  const labels = [0, 1, 2, 3].map((l) => set.items.filter((i) => i.label === l).length);
  assert.ok(labels.every((n) => n > 200), `labels ${labels}`);
  const task = prepareMc(set, byte, window);
  assert.equal(task.chance, 0.25);
  const oracle = await evaluateTask(oracleScorer(259, trueSequences(task)), task);
  assert.deepEqual(oracle, { acc: 1, accNorm: 1, n: 1000, itemsChecksum: set.checksum, chance: 0.25 });
  // A model that ranks words on their own (no context) is at chance: the true word is drawn within its group.
  const train = corpora.flatMap((c) => c.splits.train.slice(0, 200)).map((d) => d.text).join("\n");
  const unigram = await evaluateTask(unigramScorer(259, byte.encode(train)), task);
  // 1,000 items: sd of a chance accuracy is 0.014.
  assert.ok(Math.abs(unigram.acc - 0.25) < 0.045, `unigram acc ${unigram.acc}`);
  const mc = await loadMcItems({ corpora, n: 1000, seed: 0, seqLen: window, cacheDir });
  assert.equal(mc.items.length, 1000, "mc4 has 1,000 items at the default window too");
});
