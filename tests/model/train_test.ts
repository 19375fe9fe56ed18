import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { AdamW, decays } from "../../src/model/optim/adamw.ts";
import { lrAt } from "../../src/model/optim/schedule.ts";
import { storedTransposed } from "../../src/model/parameters.ts";
import { type StepStats, Trainer, type TrainerOptions } from "../../src/model/train_step.ts";
import { createModel } from "../../src/model/transformer.ts";
import { randomBatch, tinyConfig } from "./_helpers.ts";

await initBackend("cpu");

const OPT: TrainerOptions = { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1, decayExclude: "one_dim", gradClip: 1 };

function repeatingBatch(vocab: number, batchSize: number, seqLen: number) {
  const seq = Int32Array.from({ length: seqLen + 1 }, (_, i) => (i * 5 + 3) % vocab);
  const inputs = new Int32Array(batchSize * seqLen);
  const targets = new Int32Array(batchSize * seqLen);
  for (let b = 0; b < batchSize; b++) {
    inputs.set(seq.subarray(0, seqLen), b * seqLen);
    targets.set(seq.subarray(1), b * seqLen);
  }
  return { inputs, targets, batchSize, seqLen };
}

for (const [family, activation] of [["dense", "polynorm"], ["moe", "swiglu"]] as const) {
  Deno.test(`a tiny ${family} ${activation} model memorises a sequence`, async () => {
    const config = tinyConfig(family, activation, { hidden: 16, gatedWidth: 24, vocab: 16 });
    const model = createModel(config, 1);
    const trainer = new Trainer(model, OPT);
    const batch = repeatingBatch(16, 2, 16);
    let last = { loss: NaN, ce: NaN, aux: NaN, gradNorm: NaN };
    const first = await trainer.step(batch, 1e-2);
    for (let i = 1; i < 80; i++) last = await trainer.step(batch, 2e-2);
    assert.ok(first.ce > 2, `initial ce ${first.ce}`);
    assert.ok(last.ce < 0.05, `ce after 80 steps: ${last.ce}`);
    if (family === "moe") assert.ok(last.aux > 0 && Math.abs(last.loss - last.ce - last.aux) < 1e-5);
    trainer.dispose();
    model.dispose();
  });
}

for (const [family, dispatch] of [["dense", undefined], ["moe", "ragged"], ["moe", "grouped"]] as const) {
  Deno.test(`memory stays flat over training steps (${family}${dispatch ? `, ${dispatch} dispatch` : ""})`, async () => {
    const before = tf.memory().numTensors;
    const config = tinyConfig(family, "polynorm");
    const model = createModel(config, 2, { moeDispatch: dispatch });
    const trainer = new Trainer(model, OPT);
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) {
      await trainer.step(randomBatch(i, 2, 8, config.vocab_size), 1e-3);
      counts.push(tf.memory().numTensors);
    }
    assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensor counts ${counts}`);
    trainer.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
}

Deno.test("MoE steps with the grouped dispatch equal the ragged dispatch's (losses to 1e-5)", async () => {
  const config = tinyConfig("moe", "polynorm", { initStd: 0.3 });
  const results: { stats: StepStats[]; weights: Map<string, Float32Array> }[] = [];
  for (const moeDispatch of ["ragged", "grouped"] as const) {
    const model = createModel(config, 3, { moeDispatch });
    const trainer = new Trainer(model, OPT);
    const stats = [];
    for (let i = 0; i < 3; i++) stats.push(await trainer.step(randomBatch(i, 2, 6, config.vocab_size), 1e-2));
    results.push({ stats, weights: await model.exportWeights() });
    trainer.dispose();
    model.dispose();
  }
  results[0].stats.forEach((ragged, i) => {
    for (const key of ["loss", "ce", "aux", "gradNorm"] as const) {
      const [a, b] = [ragged[key], results[1].stats[i][key]];
      assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(a)), `step ${i} ${key}: ragged ${a}, grouped ${b}`);
    }
  });
  for (const [name, data] of results[0].weights) {
    const other = results[1].weights.get(name)!;
    data.forEach((v, i) => assert.ok(Math.abs(v - other[i]) < 1e-5, `${name}[${i}]: ${v} vs ${other[i]}`));
  }
});

Deno.test("one step equals a hand-written AdamW with clipping and the dense decay mask", async () => {
  const config = tinyConfig("dense", "polynorm", { initStd: 0.4 });
  const batch = randomBatch(9, 2, 6, config.vocab_size);
  const options: TrainerOptions = { ...OPT, gradClip: 0.05 };
  const lr = 0.01;
  // Gradients from a separate model with the same weights.
  const probe = createModel(config, 4);
  const inputs = tf.tensor2d(batch.inputs, [2, 6], "int32");
  const targets = tf.tensor2d(batch.targets, [2, 6], "int32");
  const { value, grads } = tf.variableGrads(() => probe.lossTensors(inputs, targets).loss, probe.variables());
  const g = new Map<string, Float32Array>();
  for (const spec of probe.specs) {
    const t = grads[probe.params.get(spec.name)!.name];
    g.set(spec.name, await (storedTransposed(spec) ? tf.transpose(t) : t).data() as Float32Array);
  }
  const before = await probe.exportWeights();
  let sq = 0;
  for (const v of g.values()) for (const x of v) sq += x * x;
  const norm = Math.sqrt(sq);
  assert.ok(norm > 0.05, "the case must exercise clipping");
  const scale = Math.min(1, 0.05 / (norm + 1e-6));

  const model = createModel(config, 4);
  const trainer = new Trainer(model, options);
  const stats = await trainer.step(batch, lr);
  assert.ok(Math.abs(stats.gradNorm - norm) < 1e-5 * norm);
  assert.ok(Math.abs(stats.loss - (await value.data())[0]) < 1e-6);
  const after = await model.exportWeights();
  const [b1, b2] = options.betas;
  for (const spec of model.specs) {
    const p0 = before.get(spec.name)!;
    const gg = g.get(spec.name)!;
    const decay = decays(spec, "one_dim") ? options.weightDecay : 0;
    for (let i = 0; i < p0.length; i++) {
      const gi = gg[i] * scale;
      const m = (1 - b1) * gi;
      const v = (1 - b2) * gi * gi;
      const update = (lr / (1 - b1)) * m / (Math.sqrt(v) / Math.sqrt(1 - b2) + options.eps);
      const expected = p0[i] * (1 - lr * decay) - update;
      assert.ok(Math.abs(after.get(spec.name)![i] - expected) < 2e-6, `${spec.name}[${i}]`);
    }
  }
  tf.dispose([inputs, targets, value, ...Object.values(grads)]);
  [probe, model].forEach((m) => m.dispose());
  trainer.dispose();
});

Deno.test("a parameter without gradient only decays (MoE recipe decays norms, not coefficients)", async () => {
  const config = tinyConfig("moe", "polynorm");
  const model = createModel(config, 5);
  const before = await model.exportWeights();
  const opt = new AdamW(model, { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1, decayExclude: "coefficients" });
  tf.tidy(() => opt.applyGradients(new Map(), 0.5));
  const after = await model.exportWeights();
  const factor = Math.fround(1 - 0.5 * 0.1);
  for (const spec of model.specs) {
    const expected = before.get(spec.name)!.map((x) => spec.kind === "coefficients" ? x : Math.fround(x * factor));
    assert.deepEqual(after.get(spec.name), expected, spec.name);
  }
  assert.equal(opt.step, 1);
  opt.dispose();
  model.dispose();
});

Deno.test("lrAt: linear warmup, cosine to the floor, long horizons stay near the peak", () => {
  const s = { peak: 3e-4, min: 3e-5, warmupSteps: 10, horizonSteps: 110 };
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  near(lrAt(0, s), 3e-5);
  near(lrAt(4, s), 1.5e-4);
  near(lrAt(9, s), 3e-4);
  near(lrAt(10, s), 3e-4);
  near(lrAt(60, s), 1.65e-4);
  near(lrAt(110, s), 3e-5);
  near(lrAt(500, s), 3e-5);
  // OLMoE: 200B of a 5T-token cosine (2500 warmup steps of 4M tokens, 48000 run steps, t_max 1.19M steps).
  const olmoe = { peak: 4e-4, min: 4e-5, warmupSteps: 2500, horizonSteps: 1_192_093 };
  assert.ok(lrAt(48_000, olmoe) > 0.996 * 4e-4);
  assert.throws(() => lrAt(-1, s), RangeError);
});

Deno.test("a batch with out-of-range tokens is rejected before any work", async () => {
  const config = tinyConfig("dense", "swiglu");
  const model = createModel(config, 6);
  const trainer = new Trainer(model, OPT);
  const batch = randomBatch(1, 1, 4, config.vocab_size);
  batch.targets[2] = config.vocab_size;
  await assert.rejects(() => trainer.step(batch, 1e-3), /outside \[0, 11\)/);
  await assert.rejects(() => trainer.step({ ...batch, seqLen: 5 }, 1e-3), /expected 5 token ids/);
  trainer.dispose();
  model.dispose();
});

Deno.test("queue and drain: results in step order, the same whatever the read group, nothing left on dispose", async () => {
  const before = tf.memory().numTensors;
  const config = tinyConfig("dense", "polynorm");
  const run = async (readGroup: number) => {
    const model = createModel(config, 5);
    const trainer = new Trainer(model, OPT, readGroup);
    const done = [];
    const returnedBy: number[] = [];
    for (let i = 0; i < 7; i++) {
      const results = await trainer.queue(randomBatch(i, 2, 8, config.vocab_size), 1e-3 * (i + 1), {
        coefficients: i % 2 === 0,
      });
      done.push(...results);
      returnedBy.push(results.length);
    }
    assert.equal(trainer.steps, 7);
    done.push(...await trainer.drain());
    const coefficients = await model.polyCoefficients();
    // Queued but never read: dispose frees them.
    await trainer.queue(randomBatch(9, 2, 8, config.vocab_size), 1e-3);
    trainer.dispose();
    model.dispose();
    return { done, returnedBy, coefficients };
  };
  const each = await run(0);
  const grouped = await run(3);
  assert.deepEqual(each.returnedBy, [1, 1, 1, 1, 1, 1, 1]);
  // A group is read when full and returned when the next is full.
  assert.deepEqual(grouped.returnedBy, [0, 0, 0, 0, 0, 3, 0]);
  assert.deepEqual(each.done.map((d) => d.step), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(each.done.map((d) => d.lr), [1, 2, 3, 4, 5, 6, 7].map((i) => 1e-3 * i));
  assert.ok(each.done.every((d) => d.seconds > 0 && Number.isFinite(d.stats.loss)));
  assert.deepEqual(each.done.map((d) => d.coefficients === undefined), [false, true, false, true, false, true, false]);
  // The coefficients are those right after their own step, not those of the step that read them.
  assert.notDeepEqual(each.done[0].coefficients, each.done[6].coefficients);
  assert.deepEqual(each.done[6].coefficients, each.coefficients);
  const strip = (d: typeof each.done) => d.map(({ seconds: _, ...rest }) => rest);
  assert.deepEqual(strip(grouped.done), strip(each.done));
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("step() returns the statistics of its own step after earlier queued ones", async () => {
  const config = tinyConfig("dense", "swiglu");
  const stats = [];
  for (const queueFirst of [false, true]) {
    const model = createModel(config, 6);
    const trainer = new Trainer(model, OPT);
    if (queueFirst) await trainer.queue(randomBatch(0, 2, 8, config.vocab_size), 1e-3);
    else await trainer.step(randomBatch(0, 2, 8, config.vocab_size), 1e-3);
    stats.push(await trainer.step(randomBatch(1, 2, 8, config.vocab_size), 1e-3));
    trainer.dispose();
    model.dispose();
  }
  assert.deepEqual(stats[1], stats[0]);
});
