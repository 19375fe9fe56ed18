/**
 * Hugging Face transformers both ways: checkpoints transformers writes are
 * scored by `cli score` as transformers scores them, and ours load in
 * transformers through their shipped modelling code. Needs Python with torch
 * and transformers (tools/python_env.sh); skipped with the reason otherwise.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../src/backend/mod.ts";
import { addScoreCommand } from "../../src/cli/commands/score.ts";
import { writeInitialCheckpoint } from "../../src/model/checkpoint/mod.ts";
import { REMOTE_CODE } from "../../src/model/config_json.ts";
import { initialValue, initStdFor, OLMO_INIT_CUTOFF } from "../../src/model/init.ts";
import { parameterSpecs } from "../../src/model/parameters.ts";
import { findPython } from "../../src/util/python.ts";
import { runCommands } from "../_cli.ts";
import { tinyConfig } from "./_helpers.ts";

const py = await findPython(["torch", "transformers"]);
const skip = py.ok ? null : py.reason;
const TOOL = new URL("../../tools/hf_interop.py", import.meta.url).pathname;
const FIXTURE_4X = new URL("./fixtures/llama_4x_config.json", import.meta.url).pathname;
/** Float32 forward passes against transformers' float64 ones: the issue's bar. */
const TOLERANCE = 1e-4;

function name(title: string): string {
  return skip ? `${title} (skipped: ${skip})` : title;
}

export async function python(args: string[]): Promise<Record<string, unknown>> {
  if (!py.ok) throw new Error(py.reason);
  const out = await new Deno.Command(py.python, { args: [TOOL, ...args], stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`hf_interop.py ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text.trim().split("\n").at(-1)!);
}

export function maxDiff(a: number[][], b: number[][]): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  a.forEach((row, i) => {
    assert.equal(row.length, b[i].length);
    row.forEach((x, j) => worst = Math.max(worst, Math.abs(x - b[i][j])));
  });
  return worst;
}

async function tokensFile(dir: string): Promise<string> {
  const sequences = [[1, 5, 9, 3, 22, 40, 96, 0, 7, 7, 13, 50, 61, 2, 88, 17, 4], [3, 4], [90, 91, 92, 93, 94, 95]];
  const path = join(dir, "tokens.json");
  await Deno.writeTextFile(path, JSON.stringify(sequences));
  return path;
}

async function score(checkpoint: string, tokens: string): Promise<number[][]> {
  await initBackend("cpu");
  const r = await runCommands([addScoreCommand], [
    "score",
    "--checkpoint",
    checkpoint,
    "--tokens",
    tokens,
    "--backend",
    "cpu",
  ]);
  assert.equal(r.code, 0, (r.failure ?? []).join(" "));
  return JSON.parse(r.out.at(-1)!).logprobs;
}

Deno.test({
  name: name("a GQA + tied-embedding Llama saved by transformers' save_pretrained scores as in transformers"),
  ignore: skip !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const tokens = await tokensFile(dir);
      const ckpt = join(dir, "llama");
      const expected = await python(["llama", "--out", ckpt, "--tokens", tokens, "--seed", "1"]);
      const config = JSON.parse(await Deno.readTextFile(join(ckpt, "config.json")));
      assert.equal(config.num_key_value_heads, 2);
      assert.equal(config.tie_word_embeddings, true);
      assert.ok(config.rope_parameters, "transformers 5 writes rope_parameters");
      const diff = maxDiff(await score(ckpt, tokens), expected.logprobs as number[][]);
      console.log(`save_pretrained Llama (GQA 4/2, tied): max |Δ log p| = ${diff.toExponential(2)}`);
      assert.ok(diff < TOLERANCE, `${diff}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: name("a Llama with a transformers 4.x style config.json (torch_dtype, rope_scaling, rope_theta)"),
  ignore: skip !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const tokens = await tokensFile(dir);
      const ckpt = join(dir, "llama4x");
      const expected = await python(["llama", "--out", ckpt, "--tokens", tokens, "--config", FIXTURE_4X]);
      assert.equal(JSON.parse(await Deno.readTextFile(join(ckpt, "config.json"))).torch_dtype, "float32");
      const diff = maxDiff(await score(ckpt, tokens), expected.logprobs as number[][]);
      console.log(`4.x-style config Llama (rope_theta 5e5): max |Δ log p| = ${diff.toExponential(2)}`);
      assert.ok(diff < TOLERANCE, `${diff}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const OURS: Array<[string, ReturnType<typeof tinyConfig>]> = [
  [
    "dense PolyNorm (GQA, tied)",
    tinyConfig("dense", "polynorm", {
      hidden: 64,
      heads: 4,
      kvHeads: 2,
      tieEmbeddings: true,
      gatedWidth: 96,
      vocab: 97,
      initStd: 0.2,
    }),
  ],
  [
    "MoE PolyNorm (QK-norm, top-2 of 4)",
    tinyConfig("moe", "polynorm", { hidden: 64, heads: 4, gatedWidth: 32, vocab: 97, initStd: 0.2, normTopK: true }),
  ],
];

for (const [title, config] of OURS) {
  Deno.test({
    name: name(`our ${title} checkpoint loads in transformers (trust_remote_code) with our log-probabilities`),
    ignore: skip !== null,
    fn: async () => {
      const dir = await Deno.makeTempDir();
      try {
        const tokens = await tokensFile(dir);
        const ckpt = join(dir, "ours");
        await writeInitialCheckpoint(ckpt, config, 5);
        for (const file of REMOTE_CODE.files) await Deno.stat(join(ckpt, file));
        const theirs = await python(["load", "--checkpoint", ckpt, "--tokens", tokens, "--perturb", "3"]);
        assert.equal(theirs.class, REMOTE_CODE.architecture);
        assert.deepEqual(theirs.loading_problems, {});
        const diff = maxDiff(await score(ckpt, tokens), theirs.logprobs as number[][]);
        console.log(`${title} through trust_remote_code: max |Δ log p| = ${diff.toExponential(2)}`);
        assert.ok(diff < TOLERANCE, `${diff}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test("SwiGLU checkpoints stay plain Llama / OLMoE ones (no modelling code)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const family of ["dense", "moe"] as const) {
      const ckpt = join(dir, family);
      await writeInitialCheckpoint(ckpt, tinyConfig(family, "swiglu"), 1);
      const json = JSON.parse(await Deno.readTextFile(join(ckpt, "config.json")));
      assert.equal(json.model_type, family === "dense" ? "llama" : "olmoe");
      assert.equal(json.auto_map, undefined);
      for (const file of REMOTE_CODE.files) await assert.rejects(() => Deno.stat(join(ckpt, file)));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: name("README: the transformers snippet runs on our PolyNorm checkpoint"),
  ignore: skip !== null,
  fn: async () => {
    const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
    const section = readme.slice(readme.indexOf("## Loading our checkpoints in transformers"));
    const snippet = section.match(/```python\n([\s\S]*?)```/)?.[1];
    assert.ok(snippet, "README has the python snippet");
    const dir = await Deno.makeTempDir();
    try {
      const ckpt = join(dir, "checkpoint");
      await writeInitialCheckpoint(ckpt, OURS[0][1], 2);
      if (!py.ok) throw new Error(py.reason);
      const out = await new Deno.Command(py.python, {
        args: ["-c", snippet.replaceAll("results/dense-polynorm/checkpoint", ckpt)],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: name("the shipped modelling code initialises as we do (names, constants, each tensor's std and cut-off)"),
  ignore: skip !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const cases = [
        tinyConfig("dense", "polynorm", { hidden: 64, heads: 4, kvHeads: 2, gatedWidth: 96, vocab: 97, layers: 3 }),
        tinyConfig("moe", "polyrelu", { hidden: 64, heads: 4, gatedWidth: 32, vocab: 97, polyOrder: 4 }),
      ];
      for (const [i, config] of cases.entries()) {
        const ckpt = join(dir, `c${i}`);
        await writeInitialCheckpoint(ckpt, config, 1);
        const theirs = (await python(["init", "--checkpoint", ckpt]))
          .parameters as Record<string, { std: number; maxAbs: number; values?: number[] }>;
        const specs = parameterSpecs(config);
        assert.deepEqual(Object.keys(theirs).sort(), specs.map((s) => s.name).sort());
        for (const spec of specs) {
          const t = theirs[spec.name];
          if (spec.kind === "norm" || spec.kind === "coefficients") {
            if (t.values) assert.deepEqual(t.values, Array.from(initialValue(config, spec, 1)), spec.name);
            else assert.equal(t.std, 0, spec.name);
            continue;
          }
          const ours = initialValue(config, spec, 1);
          const mean = ours.reduce((a, b) => a + b, 0) / ours.length;
          const std = Math.sqrt(ours.reduce((a, b) => a + (b - mean) ** 2, 0) / (ours.length - 1));
          // Independent samples of one distribution: a sample std's relative error is about 1/sqrt(2n) (4σ bound).
          const bound = 4 / Math.sqrt(2 * ours.length) * std;
          assert.ok(Math.abs(t.std - std) < bound, `${spec.name}: std ${t.std} vs ours ${std}`);
          if (config.model_type === "olmoe") assert.ok(t.maxAbs <= OLMO_INIT_CUTOFF * initStdFor(config, spec) + 1e-7);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
