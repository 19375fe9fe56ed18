import assert from "node:assert/strict";
import { BpeTokenizer, ByteTokenizer, loadCorpus, tokenStream, validationSet } from "../../src/data/mod.ts";

const cacheDir = await Deno.makeTempDir({ prefix: "polycom-val-" });
globalThis.addEventListener("unload", () => Deno.removeSync(cacheDir, { recursive: true }));

Deno.test("validation windows: fixed, evenly spread, never scoring a token twice, capped by the budget", async () => {
  const tok = new ByteTokenizer();
  const stream = await tokenStream("brown", "validation", tok, { cacheDir });
  const a = validationSet(stream, tok, { seqLen: 64, maxTokens: 5000 });
  const b = validationSet(stream, tok, { seqLen: 64, maxTokens: 5000 });
  assert.deepEqual(a, b);
  assert.equal(a.windows.length, Math.ceil(5000 / 63));
  assert.equal(a.scoredTokens, a.windows.length * 63);
  assert.equal(a.scoredBytes, a.scoredTokens, "one byte per byte token (and per <|eos|>)");
  // Locate windows in the stream: starts strictly increase by ≥ seqLen − 1 and span the split.
  const starts: number[] = [];
  let from = 0;
  for (const w of a.windows) {
    let s = from;
    while (!w.every((x, i) => stream.tokens[s + i] === x)) s++;
    starts.push(s);
    from = s + 1;
  }
  for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 63);
  assert.equal(starts[0], 0);
  assert.equal(starts.at(-1), stream.tokens.length - 64);
  const all = validationSet(stream, tok, { seqLen: 64, maxTokens: 1e9 });
  assert.equal(all.windows.length, Math.floor((stream.tokens.length - 1) / 63));
});

Deno.test("validation bytes of a BPE are the bytes its scored tokens decode to", async () => {
  const docs = (await loadCorpus("brown", { cacheDir })).splits.train.slice(0, 20).map((d) => d.text);
  const tok = BpeTokenizer.train(docs, { vocabSize: 600 });
  const stream = await tokenStream("nlp-corpus", "validation", tok, { cacheDir });
  const set = validationSet(stream, tok, { seqLen: 32, maxTokens: 2000 });
  let bytes = 0;
  for (const w of set.windows) {
    for (const id of w.slice(1)) {
      bytes += id === tok.special.eos ? 1 : new TextEncoder().encode(tok.decode([id])).length;
    }
  }
  // decode() of a lone partial UTF-8 token gives U+FFFD (3 bytes); nlp-corpus validation is mostly ASCII.
  assert.ok(Math.abs(bytes - set.scoredBytes) / set.scoredBytes < 0.01, `${bytes} vs ${set.scoredBytes}`);
  assert.ok(set.scoredBytes > set.scoredTokens * 2);
});
