import assert from "node:assert/strict";
import { getActivation } from "../../src/activations/mod.ts";
import { tf } from "../../src/backend/mod.ts";
import { MOE_GROUPED_MATMUL, MOE_GROUPED_WEIGHT_GRAD } from "../../src/kernels/moe/mod.ts";
import { moeLayer, type MoeWeights } from "../../src/model/moe.ts";
import { type StepStats, Trainer, type TrainerOptions } from "../../src/model/train_step.ts";
import { createModel } from "../../src/model/transformer.ts";
import { Rng } from "../../src/util/rng.ts";
import { backendTest, useBackend, WEBGPU } from "../_backend_harness.ts";
import { randomBatch, tinyConfig } from "./_helpers.ts";
import { countDeviceReads } from "../../src/kernels/fused/mod.ts";

const OPT: TrainerOptions = { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1, decayExclude: "one_dim", gradClip: 1 };
const SMOKE = tinyConfig("moe", "swiglu", { hidden: 16, initStd: 0.3 });

async function smokeSteps(backend: "wasm" | "webgpu"): Promise<StepStats[]> {
  await useBackend(backend);
  const model = createModel(SMOKE, 31);
  const trainer = new Trainer(model, OPT);
  const stats = [];
  for (let i = 0; i < 3; i++) stats.push(await trainer.step(randomBatch(i, 2, 8, SMOKE.vocab_size), 1e-2));
  trainer.dispose();
  model.dispose();
  return stats;
}

backendTest("smoke MoE: webgpu training steps equal wasm's to 1e-5 (losses, aux, gradient norm)", WEBGPU, async () => {
  const wasm = await smokeSteps("wasm");
  const webgpu = await smokeSteps("webgpu");
  wasm.forEach((want, i) => {
    for (const key of ["loss", "ce", "aux", "gradNorm"] as const) {
      const [a, b] = [want[key], webgpu[i][key]];
      assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(a)), `step ${i} ${key}: wasm ${a}, webgpu ${b}`);
    }
  });
});

/** A layer's output, aux losses and input/router gradients on the active backend. */
async function layerValues(normTopK: boolean): Promise<Float32Array[]> {
  const rng = new Rng(8);
  const [T, d, f, E, k] = [40, 12, 20, 6, 3];
  const rand = (shape: number[], s = 1) =>
    tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => s * rng.normal()), shape);
  const out = tf.tidy(() => {
    const x = rand([T, d]) as tf.Tensor2D;
    const router = rand([d, E]) as tf.Tensor2D;
    const experts = Array.from({ length: E }, () => ({
      gate: rand([d, f], 0.3) as tf.Tensor2D,
      up: rand([d, f], 0.3) as tf.Tensor2D,
      down: rand([f, d], 0.3) as tf.Tensor2D,
    }));
    const c = rand([T, d]);
    const layer = (xx: tf.Tensor2D, r: tf.Tensor2D) => {
      const w: MoeWeights = { router: r, experts };
      return moeLayer(xx, w, getActivation("swiglu"), undefined, { topK: k, normTopK });
    };
    const loss = (xx: tf.Tensor, r: tf.Tensor) => {
      const o = layer(xx as tf.Tensor2D, r as tf.Tensor2D);
      return tf.addN([tf.sum(tf.mul(o.y, c)), o.loadBalancing, o.zLoss]) as tf.Scalar;
    };
    const o = layer(x, router);
    return [o.y, o.loadBalancing, o.zLoss, ...tf.grads(loss)([x, router])];
  });
  const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(out);
  return values;
}

backendTest("MoE layer on webgpu (grouped) equals wasm (ragged): output, aux losses, gradients", WEBGPU, async () => {
  for (const normTopK of [false, true]) {
    await useBackend("wasm");
    const want = await layerValues(normTopK);
    await useBackend("webgpu");
    const got = await layerValues(normTopK);
    ["y", "loadBalancing", "zLoss", "dx", "dRouter"].forEach((name, i) => {
      got[i].forEach((v, j) => {
        assert.ok(
          Math.abs(v - want[i][j]) <= 1e-5 * Math.max(1, Math.abs(want[i][j])),
          `${name}[${j}]: ${v} vs ${want[i][j]}`,
        );
      });
    });
  }
});

backendTest("an MoE training step on webgpu: one forward and one backward pass, no host read", WEBGPU, async () => {
  const model = createModel(SMOKE, 31);
  const trainer = new Trainer(model, OPT);
  const batch = randomBatch(0, 2, 8, SMOKE.vocab_size);
  await trainer.step(batch, 1e-2);
  const inputs = tf.tensor2d(batch.inputs, [2, 8], "int32");
  const targets = tf.tensor2d(batch.targets, [2, 8], "int32");
  const lossAndGrads = () => {
    const { value, grads } = tf.variableGrads(() => model.lossTensors(inputs, targets).loss, model.variables());
    tf.dispose([value, ...Object.values(grads)]);
  };
  const stop = countDeviceReads();
  lossAndGrads();
  assert.equal(stop(), 0, "host reads in the loss and its gradients");
  const loss = model.lossTensors(inputs, targets);
  const stopOne = countDeviceReads();
  await loss.loss.data();
  assert.equal(stopOne(), 1, "reading the loss is a device read");
  tf.dispose([loss.loss, loss.ce, loss.aux]);
  const profile = await tf.profile(lossAndGrads);
  const calls = (name: string) => profile.kernels.filter((kernel) => kernel.name === name).length;
  const layers = SMOKE.num_hidden_layers;
  // SwiGLU experts: gate, up, down forward and their input gradients; three weight gradients.
  assert.equal(calls(MOE_GROUPED_MATMUL), 6 * layers);
  assert.equal(calls(MOE_GROUPED_WEIGHT_GRAD), 3 * layers);
  const stopStep = countDeviceReads();
  await trainer.step(batch, 1e-2);
  assert.ok(stopStep() <= 1, "a step reads at most its statistics");
  tf.dispose([inputs, targets]);
  trainer.dispose();
  model.dispose();
});
