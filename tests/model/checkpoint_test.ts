import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend, tf } from "../../src/backend/mod.ts";
import {
  CHECKPOINT_FILES,
  loadCheckpoint,
  openSafetensors,
  readSafetensors,
  saveCheckpoint,
  writeInitialCheckpoint,
  writeSafetensors,
} from "../../src/model/checkpoint/mod.ts";
import { hfConfigJson } from "../../src/model/config_json.ts";
import { modelScorer } from "../../src/model/scorer.ts";
import { Trainer, type TrainerOptions } from "../../src/model/train_step.ts";
import { createModel } from "../../src/model/transformer.ts";
import { UsageError } from "../../src/util/errors.ts";
import { randomBatch, tinyConfig } from "./_helpers.ts";

await initBackend("cpu");

const OPT: TrainerOptions = { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1, decayExclude: "one_dim", gradClip: 1 };

function handMadeFile(header: Record<string, unknown>, data: Uint8Array, pad = false): Uint8Array {
  let json = new TextEncoder().encode(JSON.stringify(header));
  if (pad) json = new TextEncoder().encode(JSON.stringify(header).padEnd(Math.ceil(json.length / 8) * 8, " "));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

Deno.test("safetensors: the writer's bytes follow the format (LE length, sorted names, aligned, raw LE floats)", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "t.safetensors");
  await writeSafetensors(
    path,
    [{ name: "b", shape: [2] }, { name: "a", shape: [1, 2] }],
    (name) => name === "a" ? new Float32Array([1, 2]) : new Float32Array([-0.5, 3.25]),
    { format: "pt" },
  );
  const bytes = await Deno.readFile(path);
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header, {
    __metadata__: { format: "pt" },
    a: { dtype: "F32", shape: [1, 2], data_offsets: [0, 8] },
    b: { dtype: "F32", shape: [2], data_offsets: [8, 16] },
  });
  const data = new DataView(bytes.buffer, 8 + n);
  assert.deepEqual([0, 4, 8, 12].map((o) => data.getFloat32(o, true)), [1, 2, -0.5, 3.25]);
  const back = await readSafetensors(path);
  assert.deepEqual(back.get("b"), { shape: [2], data: new Float32Array([-0.5, 3.25]) });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("safetensors: reads files from other writers (unpadded header, F16 and BF16)", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "t.safetensors");
  const data = new Uint8Array(8);
  const view = new DataView(data.buffer);
  view.setUint16(0, 0x3c00, true); // F16 1.0
  view.setUint16(2, 0xc000, true); // F16 -2.0
  view.setUint16(4, 0x3fc0, true); // BF16 1.5
  view.setUint16(6, 0x4049, true); // BF16 3.140625
  await Deno.writeFile(
    path,
    handMadeFile({
      z: { dtype: "BF16", shape: [2], data_offsets: [4, 8] },
      h: { dtype: "F16", shape: [2], data_offsets: [0, 4] },
    }, data),
  );
  const back = await readSafetensors(path);
  assert.deepEqual(back.get("h")!.data, new Float32Array([1, -2]));
  assert.deepEqual(back.get("z")!.data, new Float32Array([1.5, 3.140625]));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("safetensors: malformed files are UsageErrors naming the file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "bad.safetensors");
  const cases: Array<[Uint8Array, RegExp]> = [
    [new Uint8Array(3), /shorter than/],
    [handMadeFile({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)), /outside the file/],
    [
      handMadeFile({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /shape and dtype need/,
    ],
    [
      handMadeFile({
        a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
      }, new Uint8Array(12)),
      /overlaps/,
    ],
    [
      (() => {
        const b = handMadeFile({}, new Uint8Array(0));
        b[8] = 0x7b;
        b[9] = 0x7b;
        return b;
      })(),
      /not JSON/,
    ],
    [
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 1n << 40n, true);
        return b;
      })(),
      /header length/,
    ],
  ];
  for (const [bytes, pattern] of cases) {
    await Deno.writeFile(path, bytes);
    await assert.rejects(() => openSafetensors(path), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.ok(e.message.startsWith(path));
      assert.match(e.message, pattern);
      return true;
    });
  }
  await assert.rejects(() => openSafetensors(join(dir, "missing")), /file not found/);
  await Deno.remove(dir, { recursive: true });
});

async function trainedModelAndTrainer(family: "dense" | "moe", steps: number) {
  const config = tinyConfig(family, "polynorm", { initStd: 0.3 });
  const model = createModel(config, 21);
  const trainer = new Trainer(model, OPT);
  const stats = [];
  for (let i = 0; i < steps; i++) stats.push(await trainer.step(randomBatch(i, 2, 6, config.vocab_size), 1e-2));
  return { config, model, trainer, stats };
}

for (const family of ["dense", "moe"] as const) {
  Deno.test(`${family}: save → load round-trips weights, optimizer and trainer state bit-exactly`, async () => {
    const dir = await Deno.makeTempDir();
    const ckpt = join(dir, "checkpoint");
    const { model, trainer } = await trainedModelAndTrainer(family, 2);
    const trainerState = { step: 2, dataPosition: [3, 14], rng: "abc" };
    const optimizerState = await trainer.exportState();
    await saveCheckpoint(ckpt, model, { optimizerState, trainerState });
    const loaded = await loadCheckpoint(ckpt);
    assert.deepEqual(loaded.config, model.config);
    assert.deepEqual(loaded.trainerState, trainerState);
    assert.deepEqual(loaded.optimizerState, optimizerState);
    assert.equal(loaded.optimizerState!.step, 2);
    const [a, b] = [await model.exportWeights(), await loaded.model.exportWeights()];
    for (const [name, data] of a) assert.deepEqual(b.get(name), data, name);
    const tokens = tf.tensor2d(randomBatch(99, 1, 6, 11).inputs, [1, 6], "int32");
    const [la, lb] = [await model.logits(tokens), await loaded.model.logits(tokens)];
    assert.deepEqual(await la.data(), await lb.data());
    tf.dispose([tokens, la, lb]);
    // Saving again replaces the directory (no leftovers of the old one).
    await saveCheckpoint(ckpt, loaded.model);
    assert.deepEqual((await loadCheckpoint(ckpt).then((c) => (c.model.dispose(), c))).optimizerState, null);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["checkpoint"]);
    [model, loaded.model].forEach((m) => m.dispose());
    trainer.dispose();
    await Deno.remove(dir, { recursive: true });
  });

  Deno.test(`${family}: a resumed run takes exactly the steps of the uninterrupted one`, async () => {
    const dir = await Deno.makeTempDir();
    const straight = await trainedModelAndTrainer(family, 4);
    const first = await trainedModelAndTrainer(family, 2);
    await saveCheckpoint(dir, first.model, { optimizerState: await first.trainer.exportState() });
    first.model.dispose();
    first.trainer.dispose();
    const loaded = await loadCheckpoint(dir);
    const trainer = new Trainer(loaded.model, OPT);
    trainer.importState(loaded.optimizerState!);
    const stats = [...first.stats];
    for (let i = 2; i < 4; i++) {
      stats.push(await trainer.step(randomBatch(i, 2, 6, straight.config.vocab_size), 1e-2));
    }
    assert.deepEqual(stats, straight.stats);
    const [a, b] = [await straight.model.exportWeights(), await loaded.model.exportWeights()];
    for (const [name, data] of a) assert.deepEqual(b.get(name), data, name);
    [straight.model, loaded.model].forEach((m) => m.dispose());
    [straight.trainer, trainer].forEach((t) => t.dispose());
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("a streamed initial checkpoint is byte-identical to saving a created model", async () => {
  const dir = await Deno.makeTempDir();
  const config = tinyConfig("moe", "swiglu");
  await writeInitialCheckpoint(join(dir, "a"), config, 5);
  const model = createModel(config, 5);
  await saveCheckpoint(join(dir, "b"), model);
  model.dispose();
  for (const file of [CHECKPOINT_FILES.config, CHECKPOINT_FILES.model]) {
    assert.deepEqual(await Deno.readFile(join(dir, "a", file)), await Deno.readFile(join(dir, "b", file)));
  }
  const written = JSON.parse(await Deno.readTextFile(join(dir, "a", CHECKPOINT_FILES.config)));
  assert.deepEqual(written, JSON.parse(JSON.stringify(hfConfigJson(config))));
  const names = [...(await readSafetensors(join(dir, "a", CHECKPOINT_FILES.model))).keys()];
  assert.ok(names.includes("model.layers.1.mlp.experts.3.gate_proj.weight"));
  assert.ok(names.includes("model.layers.0.self_attn.q_norm.weight"));
  assert.ok(names.includes("model.layers.0.mlp.gate.weight"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loading a broken checkpoint is a UsageError naming the problem", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(() => loadCheckpoint(join(dir, "none")), /not a checkpoint directory/);
  const config = tinyConfig("dense", "polynorm");
  const ckpt = join(dir, "c");
  await writeInitialCheckpoint(ckpt, config, 1);
  const modelPath = join(ckpt, CHECKPOINT_FILES.model);
  const tensors = await readSafetensors(modelPath);
  const rewrite = async (edit: (m: Map<string, { shape: number[]; data: Float32Array }>) => void) => {
    const copy = new Map(tensors);
    edit(copy);
    await writeSafetensors(
      modelPath,
      [...copy].map(([name, t]) => ({ name, shape: t.shape })),
      (n) => copy.get(n)!.data,
    );
  };
  await rewrite((m) => m.delete("lm_head.weight"));
  await assert.rejects(() => loadCheckpoint(ckpt), /missing tensors for this config: lm_head.weight/);
  await rewrite((m) => m.set("extra", { shape: [1], data: new Float32Array(1) }));
  await assert.rejects(() => loadCheckpoint(ckpt), /tensors this config does not have: extra/);
  await rewrite((m) => m.set("model.norm.weight", { shape: [4, 2], data: new Float32Array(8) }));
  await assert.rejects(() => loadCheckpoint(ckpt), /model.norm.weight has shape \[4,2\]/);
  for (const bad of [NaN, Infinity, -Infinity]) {
    const data = new Float32Array(8).fill(1);
    data[3] = bad;
    await rewrite((m) => m.set("model.norm.weight", { shape: [8], data }));
    await assert.rejects(
      () => loadCheckpoint(ckpt),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === `${modelPath}: model.norm.weight holds a non-finite weight (${bad} at index 3)`,
    );
  }
  await Deno.writeFile(modelPath, new Uint8Array(0));
  await assert.rejects(
    () => loadCheckpoint(ckpt),
    (e: unknown) => e instanceof UsageError && e.message.startsWith(modelPath),
  );
  await Deno.remove(modelPath);
  await assert.rejects(() => loadCheckpoint(ckpt), new RegExp(`${modelPath}: file not found`));
  await Deno.writeTextFile(join(ckpt, CHECKPOINT_FILES.config), "{ nope");
  await assert.rejects(
    () => loadCheckpoint(ckpt),
    (e: unknown) => e instanceof UsageError && /not valid JSON/.test(e.message),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the scorer returns next-token log-probabilities, batched by length", async () => {
  const config = tinyConfig("moe", "polynorm", { initStd: 0.3 });
  const model = createModel(config, 8);
  const sequences = [[1, 2, 3, 4], [5], [6, 7, 8, 9], [10, 0], []];
  const scores = await modelScorer(model).logprobs(sequences);
  const tiny = await modelScorer(model, { maxLogitsPerBatch: 1 }).logprobs(sequences);
  assert.deepEqual(scores.map((s) => s.length), [3, 0, 3, 1, 0]);
  // Equal to float32 rounding, not bit for bit: a BLAS sums a row in an order that can depend on how many rows the
  // product has (OpenBLAS's edge tiles on AVX2 cores).
  assert.deepEqual(tiny.map((s) => s.length), scores.map((s) => s.length));
  tiny.forEach((s, i) =>
    s.forEach((x, t) => assert.ok(Math.abs(x - scores[i][t]) < 1e-5, `sequence ${i}, token ${t}`))
  );
  // Manual: log_softmax of the logits of each sequence alone.
  for (const [i, seq] of sequences.entries()) {
    if (seq.length < 2) continue;
    const logits = await model.logits(tf.tensor2d([seq.slice(0, -1)], [1, seq.length - 1], "int32"));
    const lp = await tf.logSoftmax(logits).array() as number[][][];
    seq.slice(1).forEach((target, t) => assert.ok(Math.abs(lp[0][t][target] - scores[i][t]) < 1e-5));
    logits.dispose();
  }
  assert.ok(scores.flat().every((x) => x < 0));
  const scorer = modelScorer(model);
  await assert.rejects(() => scorer.logprobs([[1, 11]]), UsageError);
  await assert.rejects(() => scorer.logprobs([Array(65).fill(1)]), /context is 64/);
  model.dispose();
});
