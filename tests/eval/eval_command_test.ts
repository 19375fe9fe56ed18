import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../src/backend/mod.ts";
import { addEvalCommand } from "../../src/cli/commands/eval.ts";
import { BpeTokenizer, ByteTokenizer, loadCorpus } from "../../src/data/mod.ts";
import { evaluate, openEvalSet } from "../../src/eval/mod.ts";
import { writeInitialCheckpoint } from "../../src/model/checkpoint/mod.ts";
import { modelConfigFor } from "../../src/model/build_config.ts";
import { modelScorer } from "../../src/model/scorer.ts";
import { createModel } from "../../src/model/transformer.ts";
import { EvalRow } from "../../src/results/schema.ts";
import { runCommands } from "../_cli.ts";

await initBackend("cpu");
const dir = await Deno.makeTempDir({ prefix: "polycom-eval-cli-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const cacheDir = join(dir, "cache");

/** A tiny model over the byte vocabulary (or another), so the real corpora can be scored in milliseconds. */
function tiny(vocab = 259, maxPositions = 24) {
  return modelConfigFor({
    family: "dense",
    activation: "polynorm",
    hidden: 8,
    layers: 1,
    heads: 2,
    gatedWidth: 12,
    vocab,
    maxPositions,
  });
}

/** Runs `eval` the way src/cli/main.ts does (errors → one line, exit code); on failure `err` is that line alone. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const r = await runCommands([addEvalCommand], ["eval", "--backend", "cpu", "--cache-dir", cacheDir, ...args]);
  return { code: r.code, out: r.out.join("\n"), err: r.failure ?? r.err };
}

const config = tiny();
const bare = join(dir, "bare");
await writeInitialCheckpoint(bare, config, 3);

Deno.test("eval of a bare checkpoint: byte tokenizer, text sources, the same numbers as evaluate()", async () => {
  const r = await cli(["--checkpoint", bare, "--val-tokens", "200", "--items", "6", "--json"]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const printed = JSON.parse(r.out);
  assert.deepEqual(printed.settings, {
    tokenizer: "byte",
    sources: ["brown", "nlp-corpus"],
    seqLen: 24,
    valTokens: 200,
    taskItems: 6,
    itemSeed: 0,
    runRecord: null,
  });
  const model = createModel(config, 3);
  const set = await openEvalSet({
    tokenizer: new ByteTokenizer(),
    sources: ["brown", "nlp-corpus"],
    seqLen: 24,
    valTokens: 200,
    taskItems: 6,
    cacheDir,
  });
  const expected = await evaluate(modelScorer(model), set);
  model.dispose();
  assert.deepEqual(printed.sources, expected.sources);
  assert.deepEqual(printed.tasks, expected.tasks);
  assert.equal(printed.tasks.mc4.n, 6);
  EvalRow.parse({ ...printed, step: 0, tokens: 0 });

  const text = await cli(["--checkpoint", bare, "--val-tokens", "200", "--items", "6"]);
  assert.equal(text.code, 0);
  const brown = expected.sources.brown;
  assert.match(text.out, new RegExp(`\\| brown \\| ${brown.loss.toFixed(4)} \\| ${brown.ppl.toFixed(2)} \\|`));
  assert.match(text.out, new RegExp(`\\| mc4 \\| ${expected.tasks.mc4.acc.toFixed(4)} \\| `));
});

Deno.test("eval of a run's checkpoint takes the run's data settings; flags override them", async () => {
  const runDir = join(dir, "results", "suite", "run-1");
  const ckpt = join(runDir, "checkpoint");
  await writeInitialCheckpoint(ckpt, config, 3);
  await Deno.writeTextFile(join(ckpt, "trainer_state.json"), JSON.stringify({ step: 7, tokens: 112 }));
  await Deno.writeTextFile(
    join(runDir, "run.json"),
    JSON.stringify({
      config: {
        data: { train: { brown: 1 }, validation: ["synthetic", "brown"], tokenizer: "byte" },
        train: { seqLen: 16, valTokens: 150, taskItems: 0, batchSize: 2 },
      },
    }),
  );
  const printed = JSON.parse((await cli(["--checkpoint", ckpt, "--json"])).out);
  assert.equal(printed.step, 7);
  assert.equal(printed.tokens, 112);
  assert.equal(printed.settings.runRecord, join(runDir, "run.json"));
  assert.deepEqual(Object.keys(printed.sources), ["synthetic", "brown"]);
  assert.equal(printed.sources.synthetic.tokens, Math.ceil(150 / 15) * 15, "16-token windows score 15 each");
  assert.deepEqual(printed.tasks, {});

  const overridden = JSON.parse((await cli(["--checkpoint", ckpt, "--seq-len", "21", "--json"])).out);
  assert.equal(overridden.settings.seqLen, 21);
  assert.equal(overridden.sources.brown.tokens, Math.ceil(150 / 20) * 20);
});

Deno.test("eval uses the tokenizer.json saved with a checkpoint", async () => {
  const docs = (await loadCorpus("brown", { cacheDir })).splits.train.slice(0, 20).map((d) => d.text);
  const bpe = BpeTokenizer.train(docs, { vocabSize: 300 });
  const ckpt = join(dir, "bpe");
  await writeInitialCheckpoint(ckpt, tiny(300), 5);
  await bpe.save(join(ckpt, "tokenizer.json"));
  const r = await cli(["--checkpoint", ckpt, "--sources", "brown", "--val-tokens", "100", "--items", "0", "--json"]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const printed = JSON.parse(r.out);
  assert.equal(printed.settings.tokenizer, `300 ids (${join(ckpt, "tokenizer.json")})`);
  const model = createModel(tiny(300), 5);
  const set = await openEvalSet({
    tokenizer: bpe,
    sources: ["brown"],
    seqLen: 24,
    valTokens: 100,
    taskItems: 0,
    cacheDir,
  });
  assert.deepEqual(printed.sources, (await evaluate(modelScorer(model), set)).sources);
  model.dispose();

  // A byte-vocabulary model with this tokenizer would read ids it was never trained on.
  const wrong = await cli(["--checkpoint", bare, "--tokenizer", join(ckpt, "tokenizer.json")]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.err[0], /has 300 ids but the checkpoint's vocab_size is 259/);
});

Deno.test("eval: bad paths and values exit 2 with one line", async () => {
  const notJson = join(dir, "not.json");
  await Deno.writeTextFile(notJson, "{");
  const cases: Array<[string[], RegExp]> = [
    [["--checkpoint", join(dir, "missing")], /not a checkpoint directory/],
    [["--checkpoint", join(bare, "config.json")], /not a checkpoint directory/],
    [["--checkpoint", bare, "--run", dir], /not a run directory/],
    [["--checkpoint", bare, "--tokenizer", join(dir, "none.json")], /file not found/],
    [["--checkpoint", bare, "--tokenizer", notJson], /not\.json/],
    [["--checkpoint", bare, "--tokenizer", "bpe:big"], /vocabulary size/],
    [["--checkpoint", bare, "--tokenizer", "bpe:4096"], /vocab_size is 259/],
    [["--checkpoint", bare, "--sources", "brown,wiki"], /unknown data source 'wiki'/],
    [["--checkpoint", bare, "--seq-len", "25"], /context \(2\.\.24\)/],
    [["--checkpoint", bare, "--items", "-1"], /--items/],
    [["--checkpoint", bare, "--backend", "tpu"], /backend/],
    [["--val-tokens", "10"], /--checkpoint/],
  ];
  for (const [args, pattern] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err.join(" | ")}`);
    assert.equal(r.err.length, 1);
    assert.match(r.err[0], pattern);
  }
});
