import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { storedTransposed } from "../../src/model/parameters.ts";
import { createModel, type ModelOptions } from "../../src/model/transformer.ts";
import { Rng } from "../../src/util/rng.ts";
import { referenceForward } from "./_reference.ts";
import { randomBatch, referenceWeights, rows, tinyConfig } from "./_helpers.ts";

await initBackend("cpu");

const EPS = 1e-5;
const SAMPLES_PER_TENSOR = 12;

/**
 * Compares the tfjs gradient (float32, autodiff with the custom ops) with
 * central finite differences of the float64 reference loss, element by
 * element on a sample of each parameter.
 */
async function checkGradients(
  config: ReturnType<typeof tinyConfig>,
  seed: number,
  options: ModelOptions = {},
): Promise<void> {
  const model = createModel(config, seed, options);
  const batch = randomBatch(seed + 1, 2, 5, config.vocab_size);
  const inputs = tf.tensor2d(batch.inputs, [2, 5], "int32");
  const targets = tf.tensor2d(batch.targets, [2, 5], "int32");
  const { value, grads } = tf.variableGrads(() => model.lossTensors(inputs, targets).loss, model.variables());
  const weights = await referenceWeights(model);
  const tokens = rows(batch.inputs, 2, 5);
  const next = rows(batch.targets, 2, 5);
  const base = referenceForward(config, weights, tokens, next);
  assert.ok(Math.abs((await value.data())[0] - base.loss) < 1e-5);
  const rng = new Rng(seed);
  let checked = 0;
  for (const spec of model.specs) {
    const variable = model.params.get(spec.name)!;
    const grad = grads[variable.name];
    // Internal layout → PyTorch layout, so indices match the reference's weights.
    const g = grad
      ? await (storedTransposed(spec) ? tf.transpose(grad) : grad).data()
      : new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    const w = weights.get(spec.name)!;
    const picks = w.length <= SAMPLES_PER_TENSOR
      ? Array.from(w.keys())
      : Array.from({ length: SAMPLES_PER_TENSOR }, () => rng.int(w.length));
    for (const i of picks) {
      const original = w[i];
      w[i] = original + EPS;
      const plus = referenceForward(config, weights, tokens, next);
      w[i] = original - EPS;
      const minus = referenceForward(config, weights, tokens, next);
      w[i] = original;
      assert.deepEqual(plus.routing, base.routing, "a finite-difference step changed the routing; pick another seed");
      const fd = (plus.loss - minus.loss) / (2 * EPS);
      const error = Math.abs(g[i] - fd);
      assert.ok(error < 2e-4 + 2e-3 * Math.abs(fd), `${spec.name}[${i}]: autodiff ${g[i]} vs finite difference ${fd}`);
      checked++;
    }
  }
  assert.ok(checked > 100);
  tf.dispose([inputs, targets, value, ...Object.values(grads)]);
  model.dispose();
}

Deno.test("dense PolyNorm gradients match finite differences of the float64 reference", async () => {
  await checkGradients(tinyConfig("dense", "polynorm", { initStd: 0.4 }), 11);
});

Deno.test("dense SwiGLU gradients match finite differences of the float64 reference", async () => {
  await checkGradients(tinyConfig("dense", "swiglu", { initStd: 0.4 }), 12);
});

Deno.test("MoE (QK-norm, aux losses) gradients match finite differences of the float64 reference", async () => {
  await checkGradients(tinyConfig("moe", "polyrelu", { initStd: 0.4 }), 13);
});

Deno.test("MoE SwiGLU with normalised top-k gradients match finite differences", async () => {
  await checkGradients(tinyConfig("moe", "swiglu", { initStd: 0.4, normTopK: true }), 14);
});

Deno.test("MoE gradients through the grouped dispatch match finite differences", async () => {
  await checkGradients(tinyConfig("moe", "polyrelu", { initStd: 0.4 }), 13, { moeDispatch: "grouped" });
  await checkGradients(tinyConfig("moe", "swiglu", { initStd: 0.4, normTopK: true }), 14, { moeDispatch: "grouped" });
});

Deno.test("grouped-query attention with QK-norm and tied embeddings: gradients match finite differences", async () => {
  await checkGradients(
    tinyConfig("dense", "polynorm", { initStd: 0.4, heads: 4, kvHeads: 2, tieEmbeddings: true, qkNorm: true }),
    15,
  );
});
