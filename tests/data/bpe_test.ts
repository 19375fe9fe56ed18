import assert from "node:assert/strict";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import {
  BpeTokenizer,
  BpeTrainingError,
  loadCorpus,
  loadTokenizer,
  mergesFromHuggingFace,
  preTokenize,
} from "../../src/data/mod.ts";
import { countWords, trainBpeMerges } from "../../src/data/tokenizer/_bpe_train.ts";
import { Rng } from "../../src/util/rng.ts";

const cacheDir = await Deno.makeTempDir({ prefix: "polycom-bpe-" });
globalThis.addEventListener("unload", () => Deno.removeSync(cacheDir, { recursive: true }));
const brown = await loadCorpus("brown", { cacheDir });
const nlp = await loadCorpus("nlp-corpus", { cacheDir });
/** A small slice of the train split keeps training in tests fast. */
const trainSlice = [...brown.splits.train.slice(0, 30), ...nlp.splits.train.slice(0, 3000)].map((d) => d.text);
const heldOut = [...brown.splits.test.slice(0, 5), ...nlp.splits.test.slice(0, 300)].map((d) => d.text);
const tok = BpeTokenizer.train(trainSlice, { vocabSize: 1024 });

/**
 * Textbook BPE: recount every pair from scratch at each step. Slow, but
 * independent of the incremental bookkeeping of the real trainer.
 */
function referenceMerges(texts: string[], merges: number): [number, number][] {
  const counts = countWords(texts);
  let words = [...counts.keys()].map((w) => Array.from(new TextEncoder().encode(w)));
  const freq = [...counts.values()];
  const out: [number, number][] = [];
  for (let r = 0; r < merges; r++) {
    const pairs = new Map<string, number>();
    words.forEach((w, i) => {
      for (let j = 0; j + 1 < w.length; j++) {
        pairs.set(`${w[j]},${w[j + 1]}`, (pairs.get(`${w[j]},${w[j + 1]}`) ?? 0) + freq[i]);
      }
    });
    let best: [number, number] | null = null;
    let bestCount = 0;
    for (const [k, c] of pairs) {
      const [a, b] = k.split(",").map(Number);
      if (c > bestCount || (c === bestCount && best && (a < best[0] || (a === best[0] && b < best[1])))) {
        best = [a, b];
        bestCount = c;
      }
    }
    if (!best || bestCount < 2) break;
    out.push(best);
    const z = 256 + r;
    words = words.map((w) => {
      const m: number[] = [];
      for (let j = 0; j < w.length; j++) {
        if (j + 1 < w.length && w[j] === best![0] && w[j + 1] === best![1]) {
          m.push(z);
          j++;
        } else m.push(w[j]);
      }
      return m;
    });
  }
  return out;
}

Deno.test("pre-tokenizer splits like GPT-2", () => {
  assert.deepEqual(preTokenize("Hello  world! I'll pay $1,000.\n\n"), [
    "Hello",
    " ",
    " world",
    "!",
    " I",
    "'ll",
    " pay",
    " $",
    "1",
    ",",
    "000",
    ".",
    "\n\n",
  ]);
});

Deno.test("incremental BPE training equals textbook BPE", () => {
  const texts = trainSlice.slice(0, 250);
  const expected = referenceMerges(texts, 80);
  assert.equal(expected.length, 80);
  assert.deepEqual(trainBpeMerges(countWords(texts), { merges: 80 }), expected);
});

Deno.test("a tiny hand-checked training run", () => {
  // Pairs: "ab" ×5 (in "ab" ×3 and "abc" ×2), "bc" ×2 → merge ab first, then (ab)c.
  const merges = trainBpeMerges(new Map([["ab", 3], ["abc", 2]]), { merges: 2 });
  assert.deepEqual(merges, [[97, 98], [256, 99]]);
  assert.throws(() => trainBpeMerges(new Map([["ab", 3]]), { merges: 2 }), BpeTrainingError);
});

Deno.test("BPE: exact vocabulary, deterministic, round-trips held-out text and any string", () => {
  assert.equal(tok.vocabSize, 1024);
  assert.deepEqual(tok.special, { pad: 1021, bos: 1022, eos: 1023 });
  assert.deepEqual(BpeTokenizer.train(trainSlice, { vocabSize: 1024 }).merges, tok.merges);
  let bytes = 0;
  let tokens = 0;
  for (const text of heldOut) {
    const ids = tok.encode(text);
    assert.equal(tok.decode(ids), text);
    assert.equal(ids.reduce((s, id) => s + tok.byteLength(id), 0), new TextEncoder().encode(text).length);
    bytes += new TextEncoder().encode(text).length;
    tokens += ids.length;
  }
  assert.ok(bytes / tokens > 2.5, `compression ${bytes / tokens} bytes/token`);
  const rng = new Rng(5);
  for (let i = 0; i < 500; i++) {
    const s = Array.from(
      { length: 1 + rng.int(30) },
      () => String.fromCodePoint(rng.int(2) ? 32 + rng.int(95) : rng.int(0x10000) + (rng.int(4) === 0 ? 0x10000 : 0)),
    ).join("");
    assert.equal(tok.decode(tok.encode(s)), s.toWellFormed());
  }
  assert.deepEqual(tok.encode("a<|eos|>"), [...tok.encode("a"), tok.special.eos]);
});

Deno.test("BPE tokenizer.json: reloads to the same tokenizer and matches Hugging Face tokenizers.js", async () => {
  const path = join(cacheDir, "tokenizer.json");
  await tok.save(path);
  const json = JSON.parse(await Deno.readTextFile(path));
  assert.equal(json.model.type, "BPE");
  assert.equal(json.pre_tokenizer.type, "ByteLevel");
  assert.equal(json.model.merges.length, 1024 - 259);
  const loaded = await BpeTokenizer.load(path);
  assert.deepEqual(loaded.merges, tok.merges);
  const hf = new HfTokenizer(json, {});
  for (const text of [...heldOut.slice(0, 60), "  odd\u00a0spacing\t\tand ümlauts 😀 <|eos|> end  "]) {
    const ids = tok.encode(text);
    assert.deepEqual(hf.encode(text, { add_special_tokens: false }).ids, ids);
    assert.equal(hf.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }), text);
  }
  json.model.merges[3] = "x y";
  assert.throws(() => mergesFromHuggingFace(json), /not a byte-level BPE written by this project/);
});

Deno.test("loadTokenizer trains once on the train split, then reads the cache", async () => {
  const lines: string[] = [];
  const dir = join(cacheDir, "tok");
  // A small vocabulary keeps this quick; training still reads the whole train split.
  const a = await loadTokenizer({ bpe: 300 }, { cacheDir: dir, log: (l) => lines.push(l) });
  assert.equal(lines.filter((l) => l.includes("training")).length, 1);
  const b = await loadTokenizer({ bpe: 300 }, { cacheDir: dir, log: (l) => lines.push(l) });
  assert.equal(lines.filter((l) => l.includes("training")).length, 1);
  assert.deepEqual((b as BpeTokenizer).merges, (a as BpeTokenizer).merges);
  assert.equal(b.vocabSize, 300);
  await assert.rejects(() => loadTokenizer({ bpe: 100 }, { cacheDir: dir }), /out of range/);
});
