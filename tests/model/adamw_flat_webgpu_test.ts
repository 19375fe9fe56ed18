import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import { hasFlatAdamW } from "../../src/kernels/adamw/mod.ts";
import type { OptimizerState } from "../../src/model/optim/adamw.ts";
import { Trainer, type TrainerOptions } from "../../src/model/train_step.ts";
import { createModel } from "../../src/model/transformer.ts";
import { NO_WEBGPU } from "../_backend_harness.ts";
import { assertClose } from "../kernels/_webgpu.ts";
import { randomBatch, tinyConfig } from "./_helpers.ts";

const OPT: TrainerOptions = { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1, decayExclude: "one_dim", gradClip: 1 };

/** Two steps of a tiny PolyNorm model; the optimizer state after them, and the trainer (caller disposes). */
async function twoSteps() {
  const config = tinyConfig("dense", "polynorm", { hidden: 16, initStd: 0.3 });
  const model = createModel(config, 31);
  const trainer = new Trainer(model, OPT);
  for (let i = 0; i < 2; i++) await trainer.step(randomBatch(i, 2, 8, config.vocab_size), 1e-2);
  return { state: await trainer.exportState(), trainer, model };
}

function assertStatesClose(got: OptimizerState, want: OptimizerState, tol: number): void {
  assert.equal(got.step, want.step);
  assert.deepEqual([...got.expAvg.keys()].sort(), [...want.expAvg.keys()].sort());
  for (const [name, m] of want.expAvg) {
    assertClose(got.expAvg.get(name)!, m, tol, `${name} m`);
    assertClose(got.expAvgSq.get(name)!, want.expAvgSq.get(name)!, tol, `${name} v`);
  }
}

Deno.test({
  name: "webgpu: the flat optimizer state exports like cpu's and imports back exactly" +
    (NO_WEBGPU ? ` (skipped: ${NO_WEBGPU})` : ""),
  ignore: NO_WEBGPU !== null,
  fn: async () => {
    await initBackend("cpu");
    const cpu = await twoSteps();
    await initBackend("webgpu");
    assert.ok(hasFlatAdamW(), "webgpu has no flat AdamW step");
    const gpu = await twoSteps();
    assertStatesClose(gpu.state, cpu.state, 1e-5);
    gpu.trainer.importState(cpu.state);
    assertStatesClose(await gpu.trainer.exportState(), cpu.state, 0);
    gpu.trainer.dispose();
    gpu.model.dispose();
    await initBackend("cpu");
    cpu.trainer.dispose();
    cpu.model.dispose();
  },
});
