/**
 * The "own data" path end to end: a suite that trains on a folder of text files, validates on a JSONL and a
 * Parquet file and uses an external Hugging Face tokenizer.json runs at smoke scale, and its report names the
 * sources (fixtures: tests/data/fixtures/own, built by make_fixtures.py there).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadTokenizer } from "../../src/data/mod.ts";
import { loadRuns } from "../../src/results/mod.ts";
import { findPython } from "../../src/util/python.ts";
import { autoTokenizerIds } from "./_hf_tokenizer.ts";
import dense from "../../suites/dense.ts";
import { cli } from "./_cli.ts";

const OWN = new URL("../data/fixtures/own/", import.meta.url).pathname;
const TRAIN = `text:${OWN}texts`;
const VALIDATION = [`jsonl:${OWN}docs.jsonl#text`, `parquet:${OWN}docs.parquet#body`];
const TOKENIZER = `${OWN}tokenizer.json`;
const py = await findPython(["transformers"]);

async function sha256Of(path: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(path)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("a suite on your own text folder, JSONL, Parquet and tokenizer.json runs end to end", async () => {
  const dir = await Deno.makeTempDir({ prefix: "polycom-own-data-" });
  try {
    const smoke = dense.scales.smoke!;
    const suite = {
      ...dense,
      name: "own-data",
      description: "Smoke-scale run on the researcher's own corpus and tokenizer",
      activations: ["polynorm", "swiglu"],
      seeds: [0],
      data: { train: { [TRAIN]: 1 }, validation: VALIDATION, tokenizer: { huggingface: TOKENIZER }, dataSeed: 0 },
      // Grouped-query attention and tied embeddings, as real small Llama models use, trained end to end too.
      scales: {
        smoke: {
          ...smoke,
          model: { ...smoke.model, kvHeads: 1, tieEmbeddings: true },
          train: { ...smoke.train, seeds: [0], taskItems: 0 },
        },
      },
    };
    const suitePath = join(dir, "own.json");
    await Deno.writeTextFile(suitePath, JSON.stringify(suite));
    const results = join(dir, "results");
    const reports = join(dir, "reports");
    const run = await cli([
      ...["reproduce", "--suite", suitePath, "--scale", "smoke", "--backend", "cpu"],
      ...["--results", results, "--reports", reports],
    ]);
    assert.equal(run.code, 0, run.stderr);
    const runs = await loadRuns(results);
    assert.equal(runs.length, 2);
    for (const r of runs) {
      assert.equal(r.record.status, "finished");
      assert.deepEqual(Object.keys(r.evals.at(-1)!.sources).sort(), [...VALIDATION].sort());
      for (const source of VALIDATION) {
        const row = r.evals.at(-1)!.sources[source];
        assert.ok(row.bitsPerByte! > 0);
        // Every evaluation records what it was computed on: the split's checksum and the files'.
        assert.match(row.contentChecksum!, /^[0-9a-f]{64}$/);
        assert.equal(row.files!.length, 1);
        const file = source.slice(source.indexOf(":") + 1, source.indexOf("#"));
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(file)));
        assert.equal(row.files![0].sha256, Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""));
      }
      assert.ok(r.metrics[0].ce > r.metrics.at(-1)!.ce, "the loss fell");
      const config = JSON.parse(await Deno.readTextFile(join(r.dir, "checkpoint", "config.json")));
      assert.equal(config.vocab_size, 512, "the model's vocabulary follows tokenizer.json");
      assert.equal(config.num_key_value_heads, 1);
      assert.equal(config.tie_word_embeddings, true);
      const saved = JSON.parse(await Deno.readTextFile(join(r.dir, "tokenizer.json")));
      assert.deepEqual(saved, JSON.parse(await Deno.readTextFile(TOKENIZER)), "the run carries its tokenizer");
      const inside = JSON.parse(await Deno.readTextFile(join(r.dir, "checkpoint", "tokenizer.json")));
      assert.deepEqual(inside, saved, "the checkpoint carries it too");
      // run.json records what the run read: train and validation checksums, the files' SHA-256.
      const data = r.record.data!;
      assert.deepEqual(Object.keys(data.train), [TRAIN]);
      const texts = [...Deno.readDirSync(join(OWN, "texts"))].filter((e) => e.isFile).map((e) => e.name).sort();
      assert.deepEqual(data.train[TRAIN].files!.map((f) => f.path).sort(), texts);
      for (const f of data.train[TRAIN].files!) assert.equal(f.sha256, await sha256Of(join(OWN, "texts", f.path)));
      assert.match(data.train[TRAIN].contentChecksum, /^[0-9a-f]{64}$/);
      for (const source of VALIDATION) {
        const row = r.evals.at(-1)!.sources[source];
        assert.deepEqual(data.validation[source], { contentChecksum: row.contentChecksum, files: row.files });
      }
    }
    if (py.ok) {
      // transformers loads the tokenizer from the checkpoint folder alone and gives our ids.
      const text = "The quick brown fox, said she — jumps again.";
      const ours = (await loadTokenizer({ huggingface: TOKENIZER })).encode(text);
      for (const r of runs) assert.deepEqual(await autoTokenizerIds(py.python, join(r.dir, "checkpoint"), text), ours);
    } else {
      console.log(`AutoTokenizer check skipped: ${py.reason}`);
    }
    const report = await Deno.readTextFile(join(reports, "own-data", "REPORT.md"));
    for (const source of VALIDATION) assert.ok(report.includes(source), `the report names ${source}`);
    // The checkpoint evaluates on its own: eval finds the tokenizer.json beside it.
    const evaluated = await cli([
      "eval",
      "--checkpoint",
      join(runs[0].dir, "checkpoint"),
      "--backend",
      "cpu",
      "--json",
    ]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad own data: exit 2, one line naming the file, nothing written to results/", async () => {
  const dir = await Deno.makeTempDir({ prefix: "polycom-own-bad-" });
  try {
    const smoke = dense.scales.smoke!;
    const badJsonl = join(dir, "bad.jsonl");
    await Deno.writeTextFile(badJsonl, '{"text": "fine"}\n{"body": "no text field"}\n');
    const badTokenizer = join(dir, "tokenizer.json");
    await Deno.writeTextFile(badTokenizer, "{ not json");
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ train: { [`text:${dir}/missing`]: 1 }, validation: ["synthetic"] }, /missing: file not found/],
      [{ train: { synthetic: 1 }, validation: [`jsonl:${badJsonl}#text`] }, /bad\.jsonl:2: no string field 'text'/],
      [
        { train: { synthetic: 1 }, validation: ["synthetic"], tokenizer: { huggingface: badTokenizer } },
        /tokenizer\.json: not valid JSON/,
      ],
    ];
    for (const [i, [data, pattern]] of cases.entries()) {
      const suite = {
        ...dense,
        name: `own-bad-${i}`,
        activations: ["swiglu"],
        seeds: [0],
        data: { tokenizer: "byte", dataSeed: 0, ...data },
        scales: { smoke: { ...smoke, train: { ...smoke.train, seeds: [0], taskItems: 0 } } },
      };
      const suitePath = join(dir, `bad${i}.json`);
      await Deno.writeTextFile(suitePath, JSON.stringify(suite));
      const results = join(dir, `results${i}`);
      const run = await cli([
        "reproduce",
        "--suite",
        suitePath,
        "--scale",
        "smoke",
        "--backend",
        "cpu",
        "--results",
        results,
        "--no-report",
      ]);
      assert.equal(run.code, 2, run.stderr);
      const lines = run.stderr.trim().split("\n");
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], pattern);
      const written = await Array.fromAsync(Deno.readDir(results)).catch(() => []);
      assert.deepEqual(written, [], "nothing written to results/");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
