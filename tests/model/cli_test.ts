import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../src/backend/mod.ts";
import { addInitCommand } from "../../src/cli/commands/init.ts";
import { addParamsCommand } from "../../src/cli/commands/params.ts";
import { addScoreCommand } from "../../src/cli/commands/score.ts";
import { hfConfigJson } from "../../src/model/config_json.ts";
import { loadCheckpoint } from "../../src/model/checkpoint/mod.ts";
import { readSafetensors, writeSafetensors } from "../../src/model/checkpoint/safetensors.ts";
import { modelScorer } from "../../src/model/scorer.ts";
import { createModel } from "../../src/model/transformer.ts";
import { runCommands } from "../_cli.ts";
import { tinyConfig } from "./_helpers.ts";

await initBackend("cpu");

/** Runs the model commands the way src/cli/main.ts does (errors → one line, exit code). */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const r = await runCommands([addInitCommand, addScoreCommand, addParamsCommand], args);
  return { code: r.code, out: r.out.join("\n"), err: [...r.err, ...(r.failure ?? [])] };
}

Deno.test("params prints the paper configs' counts and FLOPs", async () => {
  const { code, out } = await cli(["params"]);
  assert.equal(code, 0);
  assert.match(out, /paper dense 1B \| swiglu \| 1,345,423,360 \(1\.35B\)/);
  assert.match(out, /paper dense 1B \| polynorm \| 1,345,423,456/);
  assert.match(out, /paper MoE 1B\/7B \| swiglu \| 6,919,161,856 \(6\.92B\) \| 1,282,017,280 \(1\.28B\)/);
  const json = JSON.parse((await cli(["params", "--paper", "moe", "--activation", "polynorm", "--json"])).out);
  assert.equal(json.length, 1);
  assert.equal(json[0].activation, "polynorm");
  assert.equal(json[0].seqLen, 4096);
  assert.ok(json[0].flopsPerToken > 8e9);
});

Deno.test("params of a config file, and bad input exits 2 with one line", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "config.json");
  await Deno.writeTextFile(path, JSON.stringify(hfConfigJson(tinyConfig("dense", "swiglu"))));
  const ok = JSON.parse((await cli(["params", "--config", path, "--seq-len", "16", "--json"])).out);
  assert.equal(ok[0].total, 2 * 11 * 8 + 8 + 2 * (4 * 64 + 3 * 8 * 12 + 16));
  for (
    const args of [
      ["params", "--config", path, "--paper", "dense"],
      ["params", "--config", join(dir, "missing.json")],
      ["params", "--paper", "huge"],
      ["params", "--paper", "dense", "--activation", "tanh"],
      ["params", "--seq-len", "0"],
    ]
  ) {
    const r = await cli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.err.length, 1);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("init writes a checkpoint equal to createModel(config, seed); score prints its log-probs", async () => {
  const dir = await Deno.makeTempDir();
  const config = tinyConfig("moe", "polynorm");
  const configPath = join(dir, "config.json");
  await Deno.writeTextFile(configPath, JSON.stringify(hfConfigJson(config)));
  const ckpt = join(dir, "ckpt");
  const init = await cli(["init", "--config", configPath, "--seed", "42", "--out", ckpt]);
  assert.equal(init.code, 0, init.err.join("\n"));
  const loaded = await loadCheckpoint(ckpt);
  const fresh = createModel(config, 42);
  const [a, b] = [await loaded.model.exportWeights(), await fresh.exportWeights()];
  for (const [name, data] of a) assert.deepEqual(b.get(name), data, name);

  const tokensPath = join(dir, "tokens.json");
  const sequences = [[1, 2, 3], [4, 5, 6, 7, 8], [9]];
  await Deno.writeTextFile(tokensPath, JSON.stringify(sequences));
  const score = await cli(["score", "--checkpoint", ckpt, "--tokens", tokensPath, "--backend", "cpu"]);
  assert.equal(score.code, 0, score.err.join("\n"));
  const printed = JSON.parse(score.out);
  assert.deepEqual(Object.keys(printed), ["logprobs"]);
  assert.deepEqual(printed.logprobs, await modelScorer(fresh).logprobs(sequences));
  [loaded.model, fresh].forEach((m) => m.dispose());
  await Deno.remove(dir, { recursive: true });
});

Deno.test("init and score: bad paths and malformed files exit 2 with one line", async () => {
  const dir = await Deno.makeTempDir();
  const write = async (
    name: string,
    text: string,
  ) => (await Deno.writeTextFile(join(dir, name), text), join(dir, name));
  const good = await write("good.json", JSON.stringify(hfConfigJson(tinyConfig("dense", "gelu"))));
  const ckpt = join(dir, "ckpt");
  assert.equal((await cli(["init", "--config", good, "--out", ckpt])).code, 0);
  const tokens = await write("tokens.json", "[[1, 2]]");
  const cases: Array<[string[], RegExp]> = [
    [["init", "--config", join(dir, "nope.json"), "--out", ckpt], /file not found/],
    [["init", "--config", await write("bad.json", "{"), "--out", ckpt], /not valid JSON/],
    [
      ["init", "--config", await write("key.json", '{"vocab_size": 3, "mlp_bias": true}'), "--out", ckpt],
      /invalid model config/,
    ],
    [["init", "--config", good, "--seed", "-3", "--out", ckpt], /--seed/],
    [["init", "--config", good], /--out/],
    [["init", "--out", ckpt], /exactly one of/],
    [["init", "--config", good, "--paper", "moe", "--out", ckpt], /exactly one of/],
    [["score", "--checkpoint", join(dir, "none"), "--tokens", tokens, "--backend", "cpu"], /not a checkpoint/],
    [["score", "--checkpoint", ckpt, "--tokens", join(dir, "none.json"), "--backend", "cpu"], /file not found/],
    [
      ["score", "--checkpoint", ckpt, "--tokens", await write("t1.json", '{"a": 1}'), "--backend", "cpu"],
      /token-id arrays/,
    ],
    [["score", "--checkpoint", ckpt, "--tokens", await write("t2.json", "[[1, 99]]"), "--backend", "cpu"], /\[0, 11\)/],
  ];
  // A checkpoint with a NaN weight (PyTorch layout; the norm gain is 1-D so the index is the same).
  const nanCkpt = join(dir, "nan");
  await Deno.mkdir(nanCkpt);
  await Deno.copyFile(join(ckpt, "config.json"), join(nanCkpt, "config.json"));
  const weights = await readSafetensors(join(ckpt, "model.safetensors"));
  weights.get("model.norm.weight")!.data[2] = NaN;
  await writeSafetensors(
    join(nanCkpt, "model.safetensors"),
    [...weights].map(([name, t]) => ({ name, shape: t.shape })),
    (n) => weights.get(n)!.data,
  );
  cases.push([
    ["score", "--checkpoint", nanCkpt, "--tokens", tokens, "--backend", "cpu"],
    /model\.safetensors: model\.norm\.weight holds a non-finite weight \(NaN at index 2\)/,
  ]);
  for (const [args, pattern] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err.join(" | ")}`);
    assert.equal(r.err.length, 1);
    assert.match(r.err[0], pattern);
  }
  await Deno.remove(dir, { recursive: true });
});
