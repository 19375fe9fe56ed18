/**
 * Training on WebGPU without stalls: the trainer reads the device at most
 * once per `READ_GROUP` steps (counted on the backend), and `train-tiny`'s
 * losses over 20 steps equal wasm's. Skipped without a WebGPU adapter; the
 * `train-tiny` comparison takes minutes on a software adapter (lavapipe).
 * @module
 */
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import { runTrainBench, TRAIN_TINY } from "../../src/bench/mod.ts";
import { countDeviceReads } from "../../src/kernels/fused/mod.ts";
import { READ_GROUP, Trainer, type TrainerOptions } from "../../src/model/train_step.ts";
import { createModel } from "../../src/model/transformer.ts";
import { NO_WEBGPU, testName, WEBGPU } from "../_backend_harness.ts";
import { randomBatch, tinyConfig } from "./_helpers.ts";

const OPT: TrainerOptions = { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1, decayExclude: "one_dim", gradClip: 1 };

/** Host reads of the device while a tiny dense model trains `steps` steps reading `readGroup` at a time. */
async function readbacksOf(steps: number, readGroup: number): Promise<number> {
  const config = tinyConfig("dense", "polynorm", { hidden: 16 });
  const model = createModel(config, 3);
  const trainer = new Trainer(model, OPT, readGroup);
  try {
    await trainer.step(randomBatch(0, 2, 8, config.vocab_size), 1e-3); // uploads and pipelines first
    const stop = countDeviceReads();
    let results = 0;
    for (let i = 0; i < steps; i++) {
      const logged = i % 5 === 4;
      results += (await trainer.queue(randomBatch(i + 1, 2, 8, config.vocab_size), 1e-3, { coefficients: logged }))
        .length;
    }
    results += (await trainer.drain()).length;
    assert.equal(results, steps);
    return stop();
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

Deno.test({
  name: testName("host readbacks per training step: at most 1/READ_GROUP (one per step when each is read)", WEBGPU),
  ignore: NO_WEBGPU !== null,
  async fn() {
    await initBackend("webgpu");
    const steps = 4 * READ_GROUP;
    assert.equal(await readbacksOf(steps, READ_GROUP), steps / READ_GROUP);
    assert.ok(READ_GROUP >= 10, "≤ 0.1 readbacks per step");
    // The counter sees every read: reading each step costs one.
    assert.equal(await readbacksOf(6, 0), 6);
  },
});

for (const activation of ["polynorm", "swiglu"]) {
  Deno.test({
    name: testName(`train-tiny ${activation}: 20 steps on webgpu give wasm's losses, ≤ 0.1 readbacks a step`, WEBGPU),
    ignore: NO_WEBGPU !== null,
    async fn() {
      const config = { ...TRAIN_TINY, warmupSteps: 0, timedSteps: 20 };
      const options = { peakGflops: 1, profile: false };
      const wasm = await runTrainBench(config, activation, { ...options, env: await initBackend("wasm") });
      const gpu = await runTrainBench(config, activation, { ...options, env: await initBackend("webgpu") });
      await initBackend("cpu");
      assert.equal(gpu.details.losses.length, 20);
      gpu.details.losses.forEach((loss, i) => {
        const want = wasm.details.losses[i];
        assert.ok(Math.abs(loss - want) <= 1e-4, `step ${i}: webgpu ${loss}, wasm ${want}`);
      });
      assert.ok(gpu.details.readbacksPerStep! <= 0.1, `${gpu.details.readbacksPerStep} readbacks per step`);
      assert.equal(gpu.details.leakedTensors, 0);
      assert.equal(wasm.details.readbacksPerStep, null);
    },
  });
}
