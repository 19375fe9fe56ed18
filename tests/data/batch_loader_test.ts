import assert from "node:assert/strict";
import { BatchLoader, ByteTokenizer, type LoaderPosition, type TokenStream, tokenStream } from "../../src/data/mod.ts";

function fakeStream(source: string, length: number, base: number): TokenStream {
  const tokens = new Uint16Array(length);
  for (let i = 0; i < length; i++) tokens[i] = (base + i) % 60000;
  return {
    source: source as "brown",
    split: "train",
    tokens,
    documents: 1,
    bytes: length,
    contentChecksum: source,
    tokenizer: "t",
  };
}

const cacheDir = await Deno.makeTempDir({ prefix: "polycom-stream-" });
globalThis.addEventListener("unload", () => Deno.removeSync(cacheDir, { recursive: true }));

const streams = [fakeStream("brown", 5000, 0), fakeStream("nlp-corpus", 3001, 30000)];
const options = { streams, weights: { brown: 3, "nlp-corpus": 1 }, batchSize: 4, seqLen: 16, seed: 42 };

function take(loader: BatchLoader, n: number) {
  return Array.from({ length: n }, () => loader.next());
}

Deno.test("batches: targets are inputs shifted by one, windows are contiguous stream slices", () => {
  const loader = new BatchLoader(options);
  for (const batch of take(loader, 50)) {
    for (let r = 0; r < 4; r++) {
      const input = batch.inputs.subarray(r * 16, r * 16 + 16);
      const target = batch.targets.subarray(r * 16, r * 16 + 16);
      const stream = streams.find((s) => s.source === batch.sources[r])!.tokens;
      const start = stream.indexOf(input[0]);
      for (let t = 0; t < 16; t++) {
        assert.equal(input[t], stream[start + t]);
        assert.equal(target[t], stream[start + t + 1]);
      }
    }
  }
});

Deno.test("mixture proportions are exact and the order depends on the data seed only", () => {
  const loader = new BatchLoader(options);
  const rows = take(loader, 100).flatMap((b) => b.sources);
  assert.equal(rows.filter((s) => s === "brown").length, 300);
  assert.deepEqual(loader.position().taken, { brown: 300, "nlp-corpus": 100 });
  const same = take(new BatchLoader(options), 20);
  const again = take(new BatchLoader(options), 20);
  assert.deepEqual(same, again);
  const other = take(new BatchLoader({ ...options, seed: 43 }), 20);
  assert.notDeepEqual(other.map((b) => b.inputs), same.map((b) => b.inputs));
});

Deno.test("each epoch visits every window of a source exactly once", () => {
  const loader = new BatchLoader({ ...options, weights: { brown: 1 } });
  const windows = Math.floor(5000 / 16) - 1;
  const firstEpoch = new Set<number>();
  let rows = 0;
  while (rows < windows) {
    const b = loader.next();
    for (let r = 0; r < 4 && rows < windows; r++, rows++) firstEpoch.add(b.inputs[r * 16]);
  }
  assert.equal(firstEpoch.size, windows);
  const offsets = new Set([...firstEpoch].map((x) => x % 16));
  assert.equal(offsets.size, 1, "one offset per epoch");
});

Deno.test("resuming from a saved position gives exactly the same batches, across epochs", () => {
  const reference = new BatchLoader(options);
  const positions: LoaderPosition[] = [];
  const batches = [];
  for (let i = 0; i < 400; i++) {
    positions.push(JSON.parse(JSON.stringify(reference.position())));
    batches.push(reference.next());
  }
  for (const at of [0, 1, 77, 250, 399]) {
    const resumed = new BatchLoader(options);
    resumed.restore(positions[at]);
    for (let i = at; i < Math.min(at + 30, 400); i++) assert.deepEqual(resumed.next(), batches[i], `step ${i}`);
  }
  const elsewhere = new BatchLoader({ ...options, seqLen: 8 });
  assert.throws(() => elsewhere.restore(positions[5]), /another data configuration/);
  const bad = new BatchLoader(options);
  assert.throws(() => bad.restore({ ...positions[5], step: 6 }), /inconsistent/);
});

Deno.test("bad mixtures are usage errors", () => {
  assert.throws(() => new BatchLoader({ ...options, weights: { wiki: 1 } }), /no training stream for source 'wiki'/);
  assert.throws(() => new BatchLoader({ ...options, weights: { brown: 0 } }), /must be positive/);
  assert.throws(() => new BatchLoader({ ...options, seqLen: 4000 }), /too short/);
});

Deno.test("real streams: byte stream of a split is its documents' bytes, each followed by <|eos|>", async () => {
  const tok = new ByteTokenizer();
  const stream = await tokenStream("brown", "validation", tok, { cacheDir });
  const { loadCorpus } = await import("../../src/data/mod.ts");
  const docs = (await loadCorpus("brown", { cacheDir })).splits.validation;
  const expected = docs.flatMap((d) => [...new TextEncoder().encode(d.text), 258]);
  assert.deepEqual(Array.from(stream.tokens), expected);
  assert.equal(stream.bytes, expected.length);
  assert.equal(stream.documents, docs.length);
  const synthetic = await tokenStream("synthetic", "validation", tok, { cacheDir });
  assert.equal(synthetic.tokens.length, 1 << 18);
  await assert.rejects(() => tokenStream("wiki", "train", tok, { cacheDir }), /unknown data source 'wiki'/);
});
