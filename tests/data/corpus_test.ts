import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCorpus, SPLIT_PER_MILLE, splitOf } from "../../src/data/mod.ts";
import { brownFileToText, detokenizeBrown, readBrown } from "../../src/data/sources/_brown.ts";
import { readNlpCorpus } from "../../src/data/sources/_nlp_corpus.ts";

const cacheDir = await Deno.makeTempDir({ prefix: "polycom-corpus-" });
globalThis.addEventListener("unload", () => Deno.removeSync(cacheDir, { recursive: true }));

Deno.test("splitOf is a pure function of the id with ~90/5/5 proportions", () => {
  const counts = { train: 0, validation: 0, test: 0 };
  for (let i = 0; i < 100_000; i++) {
    const id = `x/${i}`;
    const s = splitOf(id);
    assert.equal(splitOf(id), s);
    counts[s]++;
  }
  // Binomial sd for 5% of 1e5 is ~69; 5 sd.
  assert.ok(Math.abs(counts.validation - SPLIT_PER_MILLE.validation * 100) < 350, JSON.stringify(counts));
  assert.ok(Math.abs(counts.test - SPLIT_PER_MILLE.test * 100) < 350, JSON.stringify(counts));
  // Pinned values: a change of the hash would silently move documents between splits.
  assert.deepEqual(["brown/ca01", "brown/cj07", "brown/ce20"].map(splitOf), ["test", "train", "validation"]);
});

Deno.test("Brown: tags stripped, quotes and punctuation rejoined, paragraphs kept", () => {
  assert.equal(
    detokenizeBrown("``/`` Only/rb a/at handful/nn ''/'' ,/, the/at jury/nn said/vbd ,/, ``/`` considering/in ./."),
    '"Only a handful", the jury said, "considering.',
  );
  assert.equal(detokenizeBrown("costs/nns (/( $600/nns )/) ;/. 1/2/cd"), "costs ($600); 1/2");
  assert.equal(
    brownFileToText("\n\n\tThe/at jury/nn said/vbd ./.\nIt/pps did/dod ./.\n\n\n\tNew/jj paragraph/nn ./.\n"),
    "The jury said. It did.\nNew paragraph.",
  );
});

for (const source of ["brown", "nlp-corpus"] as const) {
  Deno.test(`${source}: splits are deterministic, disjoint and cover every document`, async () => {
    const raw = source === "brown" ? await readBrown() : await readNlpCorpus();
    const corpus = await loadCorpus(source, { cacheDir });
    const again = await loadCorpus(source, { cacheDir }); // from the cache
    assert.deepEqual(again.checksums, corpus.checksums);
    if (source === "brown") {
      const fresh = await loadCorpus(source, { cacheDir: join(cacheDir, "other") }); // rebuilt elsewhere
      assert.deepEqual(fresh.checksums, corpus.checksums);
    }
    const seen = new Map<string, string>();
    for (const [split, docs] of Object.entries(corpus.splits)) {
      for (const doc of docs) {
        assert.equal(seen.has(doc.id), false, `${doc.id} is in two splits`);
        seen.set(doc.id, split);
        assert.equal(splitOf(doc.id), split);
      }
    }
    assert.equal(seen.size, raw.docs.length);
    for (const doc of raw.docs) assert.ok(seen.has(doc.id));
    assert.ok(corpus.splits.validation.length > 0 && corpus.splits.test.length > 0);
    // No text appears in two splits (nlp-corpus has no duplicate sentences; Brown files are distinct).
    const train = new Set(corpus.splits.train.map((d) => d.text));
    for (const d of [...corpus.splits.validation, ...corpus.splits.test]) assert.equal(train.has(d.text), false);
  });
}

Deno.test("brown: 500 documents with the genres of cats.txt, no tags left", async () => {
  const corpus = await loadCorpus("brown", { cacheDir });
  const docs = Object.values(corpus.splits).flat();
  assert.equal(docs.length, 500);
  const byId = new Map(docs.map((d) => [d.id, d]));
  assert.equal(byId.get("brown/ca01")?.meta?.genre, "news");
  assert.equal(byId.get("brown/cr09")?.meta?.genre, "humor");
  assert.match(byId.get("brown/ca01")!.text, /^The Fulton County Grand Jury said Friday an investigation/);
  for (const d of docs) assert.doesNotMatch(d.text, /\w\/(at|nn|vbd|in|jj)\b/, d.id);
});

Deno.test("a corrupt, stale or torn corpus cache is detected and rebuilt", async () => {
  const dir = join(cacheDir, "corrupt");
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  const original = await loadCorpus("brown", { cacheDir: dir, log });
  assert.deepEqual(lines, ["data: building brown corpus cache (missing)"]);
  const path = join(dir, "corpus", "brown.json");

  const bytes = await Deno.readFile(path);
  bytes[bytes.length >> 1] ^= 0x20; // flip one letter's case
  await Deno.writeFile(path, bytes);
  assert.deepEqual((await loadCorpus("brown", { cacheDir: dir, log })).checksums, original.checksums);
  assert.equal(lines.at(-1), "data: building brown corpus cache (corrupt)");

  const meta = JSON.parse(await Deno.readTextFile(`${path}.meta.json`));
  meta.key.version = -1;
  await Deno.writeTextFile(`${path}.meta.json`, JSON.stringify(meta));
  assert.deepEqual((await loadCorpus("brown", { cacheDir: dir, log })).checksums, original.checksums);
  assert.equal(lines.at(-1), "data: building brown corpus cache (stale)");

  await Deno.writeTextFile(`${path}.meta.json`, '{"key": {"sch');
  assert.deepEqual((await loadCorpus("brown", { cacheDir: dir, log })).checksums, original.checksums);
  assert.equal(lines.at(-1), "data: building brown corpus cache (corrupt)");

  await Deno.writeFile(path, (await Deno.readFile(path)).subarray(0, 1000)); // truncated payload
  assert.deepEqual((await loadCorpus("brown", { cacheDir: dir, log })).checksums, original.checksums);
  assert.equal(lines.at(-1), "data: building brown corpus cache (corrupt)");

  const count = lines.length;
  await loadCorpus("brown", { cacheDir: dir, log });
  assert.equal(lines.length, count, "a healthy cache is used as is");
});

Deno.test("unknown sources are usage errors", async () => {
  await assert.rejects(() => loadCorpus("wikipedia", { cacheDir }), /unknown text source 'wikipedia'/);
});
