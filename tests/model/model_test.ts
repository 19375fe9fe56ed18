import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { createModel } from "../../src/model/transformer.ts";
import { referenceForward } from "./_reference.ts";
import { maxAbsDiff, randomBatch, referenceWeights, rows, tinyConfig } from "./_helpers.ts";

await initBackend("cpu");

const VARIANTS: Array<[string, ReturnType<typeof tinyConfig>]> = [
  ["dense swiglu", tinyConfig("dense", "swiglu", { initStd: 0.4 })],
  ["dense polynorm", tinyConfig("dense", "polynorm", { initStd: 0.4 })],
  ["dense polyrelu", tinyConfig("dense", "polyrelu", { initStd: 0.4 })],
  ["dense gelu", tinyConfig("dense", "gelu", { initStd: 0.4 })],
  ["dense relu2 + qk-norm", tinyConfig("dense", "relu2", { initStd: 0.4, qkNorm: true })],
  ["moe swiglu", tinyConfig("moe", "swiglu", { initStd: 0.4 })],
  ["moe polynorm, normalised top-k", tinyConfig("moe", "polynorm", { initStd: 0.4, normTopK: true })],
  [
    "dense polynorm, GQA 4/2, tied embeddings",
    tinyConfig("dense", "polynorm", { initStd: 0.4, heads: 4, kvHeads: 2, tieEmbeddings: true }),
  ],
  ["moe swiglu, GQA 4/1 + qk-norm", tinyConfig("moe", "swiglu", { initStd: 0.4, hidden: 16, heads: 4, kvHeads: 1 })],
  ["moe relu, top-1 of 3, no qk-norm", tinyConfig("moe", "relu", { initStd: 0.4, experts: 3, topK: 1, qkNorm: false })],
];

for (const [name, config] of VARIANTS) {
  Deno.test(`${name}: logits, losses and routing match the float64 reference`, async () => {
    const model = createModel(config, 7);
    const batch = randomBatch(3, 2, 6, config.vocab_size);
    const inputs = tf.tensor2d(batch.inputs, [2, 6], "int32");
    const targets = tf.tensor2d(batch.targets, [2, 6], "int32");
    const ref = referenceForward(
      config,
      await referenceWeights(model),
      rows(batch.inputs, 2, 6),
      rows(batch.targets, 2, 6),
    );
    const logits = await model.logits(inputs);
    assert.deepEqual(logits.shape, [2, 6, config.vocab_size]);
    assert.ok(
      maxAbsDiff(await logits.data(), ref.logits) < 2e-5,
      `logits differ by ${maxAbsDiff(await logits.data(), ref.logits)}`,
    );
    const { loss, ce, aux } = await model.loss(inputs, targets);
    assert.ok(Math.abs((await ce.data())[0] - ref.ce) < 1e-5);
    assert.ok(Math.abs((await aux.data())[0] - ref.aux) < 1e-6);
    assert.ok(Math.abs((await loss.data())[0] - ref.loss) < 1e-5);
    if (config.model_type === "olmoe") {
      assert.ok(ref.aux > 0);
      const { logits: l2, aux: a2, routing } = model.forward(inputs);
      assert.equal(routing.length, config.num_hidden_layers);
      for (const [l, ids] of routing.entries()) {
        const chosen = (await ids.array()).map((c) => [...c].sort());
        assert.deepEqual(chosen, ref.routing[l].map((c) => [...c].sort()));
      }
      tf.dispose([l2, a2, ...routing]);
    } else {
      assert.equal(ref.aux, 0);
      assert.equal((await aux.data())[0], 0);
    }
    tf.dispose([inputs, targets, logits, loss, ce, aux]);
    model.dispose();
  });
}

Deno.test("a model of the default init starts near uniform loss and leaves no tensors behind", async () => {
  const config = tinyConfig("moe", "polynorm");
  const before = tf.memory().numTensors;
  const model = createModel(config, 1);
  const batch = randomBatch(1, 2, 8, config.vocab_size);
  const inputs = tf.tensor2d(batch.inputs, [2, 8], "int32");
  const targets = tf.tensor2d(batch.targets, [2, 8], "int32");
  const { loss, ce, aux } = await model.loss(inputs, targets);
  assert.ok(Math.abs((await ce.data())[0] - Math.log(config.vocab_size)) < 0.1);
  tf.dispose([inputs, targets, loss, ce, aux]);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("same seed, same weights; different seed, different weights", async () => {
  const config = tinyConfig("dense", "polynorm");
  const [a, b, c] = [createModel(config, 5), createModel(config, 5), createModel(config, 6)];
  const [wa, wb, wc] = await Promise.all([a, b, c].map((m) => m.exportWeights()));
  for (const [name, data] of wa) assert.deepEqual(data, wb.get(name));
  assert.notDeepEqual(wa.get("lm_head.weight"), wc.get("lm_head.weight"));
  [a, b, c].forEach((m) => m.dispose());
});
