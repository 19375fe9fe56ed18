import assert from "node:assert/strict";
import { join } from "node:path";
import { Command } from "@commander-js/extra-typings";
import { addDataCommand } from "../../src/cli/commands/data.ts";
import { loadCorpus, type SplitStats, tokenStream, validationSet } from "../../src/data/mod.ts";
import { parseLocalSource } from "../../src/data/sources/local.ts";
import { HfFileTokenizer } from "../../src/data/tokenizer/read_json.ts";
import { loadTokenizer, readTokenizerFile, vocabSizeFor } from "../../src/data/tokenizer/load.ts";
import { splitOf } from "../../src/data/split.ts";
import { UsageError } from "../../src/util/errors.ts";
import { captureConsole } from "../_console.ts";

const OWN = new URL("./fixtures/own/", import.meta.url).pathname;
const TEXTS = `text:${OWN}texts`;
const JSONL = `jsonl:${OWN}docs.jsonl#text`;
const PARQUET = `parquet:${OWN}docs.parquet#body`;
const TOKENIZER = `${OWN}tokenizer.json`;

const cacheDir = await Deno.makeTempDir({ prefix: "polycom-local-" });
globalThis.addEventListener("unload", () => Deno.removeSync(cacheDir, { recursive: true }));

async function rejectsUsage(fn: () => Promise<unknown>, message: RegExp) {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, String(e));
    assert.match(e.message, message);
    assert.equal(e.message.includes("\n"), false);
    return true;
  });
}

Deno.test("local sources: folder, glob, JSONL and Parquet get the document split and checksums", async () => {
  for (const [name, docs] of [[TEXTS, 30], [`text:${OWN}texts/doc1*.txt`, 10], [JSONL, 200], [PARQUET, 200]] as const) {
    const corpus = await loadCorpus(name, { cacheDir });
    const all = [...corpus.splits.train, ...corpus.splits.validation, ...corpus.splits.test];
    assert.equal(all.length, docs, name);
    for (const split of ["train", "validation", "test"] as const) {
      for (const d of corpus.splits[split]) assert.equal(splitOf(d.id), split);
    }
    assert.ok(corpus.splits.train.length > 0, name);
    assert.ok(corpus.files!.every((f) => /^[0-9a-f]{64}$/.test(f.sha256)));
    assert.match(corpus.checksums.validation, /^[0-9a-f]{64}$/);
  }
  // One text file: its blank-line separated blocks are the documents.
  const dir = await Deno.makeTempDir();
  const file = join(dir, "book.txt");
  await Deno.writeTextFile(file, Array.from({ length: 50 }, (_, i) => `Paragraph ${i}.\nStill ${i}.`).join("\n\n"));
  const book = await loadCorpus(`text:${file}`, { cacheDir });
  assert.equal(book.splits.train.length + book.splits.validation.length + book.splits.test.length, 50);
  // Editing a file rebuilds the cache (its checksum is part of the key).
  const lines: string[] = [];
  await Deno.writeTextFile(file, "Only one.\n\nAnd two.");
  const edited = await loadCorpus(`text:${file}`, { cacheDir, log: (l) => lines.push(l) });
  assert.equal(edited.splits.train.length + edited.splits.validation.length + edited.splits.test.length, 2);
  assert.equal(lines.length, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad local input: one line naming the file and the problem", async () => {
  const dir = await Deno.makeTempDir();
  const write = async (name: string, text: string | Uint8Array) => {
    const path = join(dir, name);
    if (typeof text === "string") await Deno.writeTextFile(path, text);
    else await Deno.writeFile(path, text);
    return path;
  };
  const opts = { cacheDir };
  await rejectsUsage(() => loadCorpus(`text:${dir}/none.txt`, opts), /none\.txt: file not found/);
  const empty = await write("empty.txt", "");
  await rejectsUsage(() => loadCorpus(`text:${empty}`, opts), /empty\.txt: empty file/);
  await rejectsUsage(() => loadCorpus(`jsonl:${dir}/none.jsonl#text`, opts), /none\.jsonl: file not found/);
  const notJson = await write("bad.jsonl", '{"text": "a"}\n{"text": oops}\n');
  await rejectsUsage(() => loadCorpus(`jsonl:${notJson}#text`, opts), /bad\.jsonl:2: not valid JSON/);
  const noField = await write("nofield.jsonl", '{"text": "a"}\n{"body": "b"}\n');
  await rejectsUsage(() => loadCorpus(`jsonl:${noField}#text`, opts), /nofield\.jsonl:2: no string field 'text'/);
  await rejectsUsage(
    () => loadCorpus(`parquet:${OWN}docs.parquet#text`, opts),
    /docs\.parquet: no column 'text' \(columns: n, body\)/,
  );
  const notParquet = await write("x.parquet", "not parquet at all");
  await rejectsUsage(() => loadCorpus(`parquet:${notParquet}#body`, opts), /x\.parquet: not a valid Parquet file/);
  await rejectsUsage(async () => await parseLocalSource("jsonl:a.jsonl"), /expected jsonl:PATH#FIELD/);
  const badTok = await write("tok.json", "{ nope");
  await rejectsUsage(() => HfFileTokenizer.load(badTok), /tok\.json: not valid JSON/);
  const notTok = await write("tok2.json", '{"version": "1.0"}');
  await rejectsUsage(() => HfFileTokenizer.load(notTok), /tok2\.json: not a Hugging Face tokenizer\.json/);
  await rejectsUsage(() => HfFileTokenizer.load(join(dir, "none.json")), /none\.json: file not found/);
  assert.throws(() => vocabSizeFor({ huggingface: join(dir, "tok.json") }), /tok\.json: not valid JSON/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a Hugging Face tokenizer.json: vocabulary, separators and bits-per-byte bytes", async () => {
  const tok = await loadTokenizer({ huggingface: TOKENIZER });
  assert.equal(tok.kind, "huggingface");
  assert.equal(tok.vocabSize, 512);
  assert.equal(vocabSizeFor({ huggingface: TOKENIZER }), 512);
  assert.equal((await readTokenizerFile(TOKENIZER)).kind, "huggingface");
  const text = "The jury said ümlauts 😀 cost $3.50, didn't they?";
  const ids = tok.encode(text);
  assert.equal(tok.decode(ids), text);
  // Each token's bytes sum to the text's: bits per byte stays exact.
  assert.equal(ids.reduce((s, id) => s + tok.byteLength(id), 0), new TextEncoder().encode(text).length);
  const stream = await tokenStream(JSONL, "validation", tok, { cacheDir });
  const eos = stream.tokens.filter((t) => t === tok.special.eos).length;
  assert.equal(eos, stream.documents);
  const set = validationSet(stream, tok, { seqLen: 32, maxTokens: 512 });
  let bytes = 0;
  // The text each window's scored tokens stand for, a document separator counting one byte.
  for (const w of set.windows) {
    const segments: number[][] = [[]];
    for (const id of w.slice(1)) id === tok.special.eos ? segments.push([]) : segments.at(-1)!.push(id);
    bytes += segments.length - 1;
    for (const seg of segments) bytes += new TextEncoder().encode(tok.decode(seg)).length;
  }
  assert.equal(set.scoredBytes, bytes);
});

Deno.test("data stats covers local sources, with their content checksums", async () => {
  const program = new Command("polycom").exitOverride();
  addDataCommand(program);
  const r = await captureConsole(() =>
    program.parseAsync(["data", "stats", "--sources", `${JSONL},${PARQUET}`, "--cache-dir", cacheDir, "--json"], {
      from: "user",
    })
  );
  assert.equal(r.threw, false);
  const rows = JSON.parse(r.out.join("\n")) as SplitStats[];
  assert.deepEqual(rows.map((x) => x.source), [JSONL, JSONL, JSONL, PARQUET, PARQUET, PARQUET]);
  assert.equal(rows.slice(0, 3).reduce((s, x) => s + x.documents, 0), 200);
  const corpus = await loadCorpus(JSONL, { cacheDir });
  assert.equal(rows[1].contentChecksum, corpus.checksums.validation);
});
