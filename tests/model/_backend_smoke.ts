/**
 * The backend smoke check shared by the wasm and WebGPU test files: one
 * training step of a tiny dense and a tiny MoE model must match the cpu
 * backend's step, and the model must score and leave memory flat.
 * @module
 */
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import type { BackendChoice } from "../../src/backend/mod.ts";
import { type StepStats, Trainer, type TrainerOptions } from "../../src/model/train_step.ts";
import { createModel } from "../../src/model/transformer.ts";
import { randomBatch, tinyConfig } from "./_helpers.ts";

const OPT: TrainerOptions = { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1, decayExclude: "one_dim", gradClip: 1 };

const CASES = [
  ["dense", "polynorm"],
  ["moe", "swiglu"],
] as const;

async function twoSteps(
  family: "dense" | "moe",
  activation: string,
): Promise<{ stats: StepStats[]; logits: Float32Array }> {
  const config = tinyConfig(family, activation, { hidden: 16, initStd: 0.3 });
  const model = createModel(config, 31);
  const trainer = new Trainer(model, OPT);
  const stats = [];
  const counts = [];
  for (let i = 0; i < 3; i++) {
    stats.push(await trainer.step(randomBatch(i, 2, 8, config.vocab_size), 1e-2));
    counts.push(tf.memory().numTensors);
  }
  assert.equal(counts[2], counts[1], "memory grew between steps");
  const tokens = tf.tensor2d(randomBatch(7, 1, 8, config.vocab_size).inputs, [1, 8], "int32");
  const logits = await model.logits(tokens);
  const data = await logits.data() as Float32Array;
  tf.dispose([tokens, logits]);
  trainer.dispose();
  model.dispose();
  return { stats, logits: data };
}

/**
 * Registers the smoke tests for `backend` (skipped with `reason` when set).
 *
 * @example
 * ```ts
 * registerBackendSmoke("wasm", null);
 * ```
 */
export function registerBackendSmoke(backend: BackendChoice, skipReason: string | null): void {
  for (const [family, activation] of CASES) {
    Deno.test({
      name: `${backend}: ${family} ${activation} training steps match the cpu backend` +
        (skipReason ? ` (skipped: ${skipReason})` : ""),
      ignore: skipReason !== null,
      fn: async () => {
        await initBackend("cpu");
        const cpu = await twoSteps(family, activation);
        await initBackend(backend);
        const other = await twoSteps(family, activation);
        await initBackend("cpu");
        for (let i = 0; i < cpu.stats.length; i++) {
          for (const key of ["loss", "ce", "aux", "gradNorm"] as const) {
            const [a, b] = [cpu.stats[i][key], other.stats[i][key]];
            assert.ok(Number.isFinite(b), `${key} is not finite on ${backend}`);
            assert.ok(
              Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(a)),
              `step ${i} ${key}: cpu ${a}, ${backend} ${b}`,
            );
          }
        }
        let diff = 0;
        cpu.logits.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - other.logits[i]))));
        assert.ok(diff < 1e-3, `logits after training differ by ${diff}`);
      },
    });
  }
}
