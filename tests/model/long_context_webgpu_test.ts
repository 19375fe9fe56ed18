import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { usesFlash } from "../../src/kernels/attention/mod.ts";
import { Trainer, type TrainerOptions } from "../../src/model/train_step.ts";
import { createModel } from "../../src/model/transformer.ts";
import { NO_WEBGPU } from "../_backend_harness.ts";
import { randomBatch, tinyConfig } from "./_helpers.ts";

const OPT: TrainerOptions = { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1, decayExclude: "one_dim", gradClip: 1 };
const SEQ = 4096;
const STEPS = 3;

/** Losses of STEPS steps on one batch of batch 1 × SEQ, and the largest bytes one step held. */
async function train(backend: "wasm" | "webgpu"): Promise<{ losses: number[]; peakBytes: number }> {
  await initBackend(backend);
  const config = tinyConfig("dense", "polynorm", {
    hidden: 32,
    heads: 2,
    gatedWidth: 48,
    vocab: 64,
    maxPositions: SEQ,
  });
  const model = createModel(config, 5);
  const trainer = new Trainer(model, OPT);
  const batch = randomBatch(3, 1, SEQ, config.vocab_size);
  const losses: number[] = [];
  let peakBytes = 0;
  for (let i = 0; i < STEPS; i++) {
    const before = tf.memory().numBytes;
    const profile = await tf.profile(async () => losses.push((await trainer.step(batch, 3e-3)).loss));
    peakBytes = Math.max(peakBytes, profile.peakBytes - before);
  }
  trainer.dispose();
  model.dispose();
  return { losses, peakBytes };
}

Deno.test({
  name: `webgpu trains a small model at seq ${SEQ}, batch 1, on the tiled attention, with wasm's losses` +
    (NO_WEBGPU ? ` (skipped: ${NO_WEBGPU})` : ""),
  ignore: NO_WEBGPU !== null,
  async fn() {
    assert.ok(usesFlash(SEQ));
    const wasm = await train("wasm");
    const webgpu = await train("webgpu");
    webgpu.losses.forEach((loss, i) => {
      assert.ok(
        Math.abs(loss - wasm.losses[i]) <= 1e-4 * (1 + Math.abs(wasm.losses[i])),
        `step ${i}: ${loss} vs wasm ${wasm.losses[i]}`,
      );
    });
    assert.ok(webgpu.losses[STEPS - 1] < webgpu.losses[0], `loss did not fall: ${webgpu.losses}`);
    // Two heads' [seq, seq] probabilities, what the fused kernel would keep per layer for the backward.
    const scores = 2 * SEQ * SEQ * 4;
    assert.ok(webgpu.peakBytes < scores / 2, `a step held ${webgpu.peakBytes} bytes, one layer's scores ${scores}`);
  },
});
