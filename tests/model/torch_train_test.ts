/**
 * Our Trainer against torch.optim.AdamW, step by step (tools/torch_train.py): same initial checkpoint, same
 * batches and learning rates, same recipe. Needs Python with torch and transformers; skipped with the reason
 * otherwise.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../src/backend/mod.ts";
import { loadCheckpoint, writeInitialCheckpoint } from "../../src/model/checkpoint/mod.ts";
import type { ModelConfig } from "../../src/model/config.ts";
import { type DecayRule, PAPER_ADAMW } from "../../src/model/optim/adamw.ts";
import { type TrainBatch, Trainer } from "../../src/model/train_step.ts";
import { findPython } from "../../src/util/python.ts";
import { randomBatch, tinyConfig } from "./_helpers.ts";

await initBackend("cpu");

const py = await findPython(["torch", "transformers"]);
const skip = py.ok ? null : py.reason;
const TOOL = new URL("../../tools/torch_train.py", import.meta.url).pathname;
const STEPS = 16;
const BATCH = 4;
const SEQ = 32;
const GRAD_CLIP = 1.0;
/**
 * Both sides compute in float32 with different summation orders, so the losses start equal to ~1e-7 and the
 * trajectories drift apart as rounding differences are amplified step by step (float chaos; the issue measured
 * 2e-5 for PolyNorm and 1.5e-3 for SwiGLU after 60 steps at d128, where chaos sets in after ~30 steps). Here
 * (d32, 16 steps) the measured gap was at most 4.8e-7 for all three models; 2e-5 leaves a 40× margin and still
 * catches a wrong recipe: measured with tools/torch_train.py on these batches, eps 1e-6 instead of 1e-8 moves the
 * losses by 1.8e-4 (dense) and 3.6e-2 (MoE), no weight decay by ≥ 7.7e-3, betas (0.9, 0.99) by ≥ 2e-2, the other
 * decay mask by ≥ 1.2e-2. (The clip threshold barely shows in the loss, Adam being nearly scale invariant; the
 * pre-clip gradient norms are compared directly.)
 */
const TOLERANCE = 2e-5;

const CASES: Array<[string, ModelConfig, DecayRule]> = [
  ["dense PolyNorm", tinyConfig("dense", "polynorm", { hidden: 32, heads: 4, gatedWidth: 64, vocab: 61 }), "one_dim"],
  ["dense SwiGLU", tinyConfig("dense", "swiglu", { hidden: 32, heads: 4, gatedWidth: 64, vocab: 61 }), "one_dim"],
  [
    "MoE PolyNorm",
    tinyConfig("moe", "polynorm", { hidden: 32, heads: 4, gatedWidth: 32, vocab: 61, experts: 4, topK: 2 }),
    "coefficients",
  ],
];

/** Warmup then decay, with rates high enough that a wrong recipe shows within a few steps. */
function learningRates(): number[] {
  return Array.from({ length: STEPS }, (_, i) => 1e-2 * Math.min(1, (i + 1) / 4) * (1 - 0.5 * i / STEPS));
}

/** Rows of arithmetic sequences (random start and stride per row): learnable, so the loss moves. */
function learnableBatch(seed: number, vocab: number): TrainBatch {
  const random = randomBatch(seed, BATCH, SEQ + 1, vocab).inputs;
  const inputs = new Int32Array(BATCH * SEQ);
  const targets = new Int32Array(BATCH * SEQ);
  for (let b = 0; b < BATCH; b++) {
    const start = random[b * (SEQ + 1)];
    const stride = 1 + (random[b * (SEQ + 1) + 1] % 3);
    for (let t = 0; t < SEQ; t++) {
      inputs[b * SEQ + t] = (start + stride * t) % vocab;
      targets[b * SEQ + t] = (start + stride * (t + 1)) % vocab;
    }
  }
  return { inputs, targets, batchSize: BATCH, seqLen: SEQ };
}

for (const [title, config, rule] of CASES) {
  Deno.test({
    name: `${title}: our Trainer's per-step losses match torch.optim.AdamW's` + (skip ? ` (skipped: ${skip})` : ""),
    ignore: skip !== null,
    fn: async () => {
      const dir = await Deno.makeTempDir();
      try {
        const ckpt = join(dir, "init");
        await writeInitialCheckpoint(ckpt, config, 21);
        const batches = Array.from({ length: STEPS }, (_, i) => learnableBatch(100 + i, config.vocab_size));
        const lrs = learningRates();
        const file = join(dir, "batches.json");
        await Deno.writeTextFile(
          file,
          JSON.stringify({
            batchSize: BATCH,
            seqLen: SEQ,
            lrs,
            batches: batches.map((b) => ({ inputs: [...b.inputs], targets: [...b.targets] })),
          }),
        );
        if (!py.ok) throw new Error(py.reason);
        const [b1, b2] = PAPER_ADAMW.betas;
        const run = await new Deno.Command(py.python, {
          args: [
            TOOL,
            ...["--checkpoint", ckpt, "--batches", file, "--decay-exclude", rule],
            ...["--betas", String(b1), String(b2), "--eps", String(PAPER_ADAMW.eps)],
            ...["--weight-decay", String(PAPER_ADAMW.weightDecay), "--grad-clip", String(GRAD_CLIP)],
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.ok(run.success, new TextDecoder().decode(run.stderr));
        const torch = JSON.parse(new TextDecoder().decode(run.stdout).trim().split("\n").at(-1)!);

        const { model } = await loadCheckpoint(ckpt);
        const trainer = new Trainer(model, { ...PAPER_ADAMW, decayExclude: rule, gradClip: GRAD_CLIP });
        const ours: number[] = [];
        const norms: number[] = [];
        for (const [i, batch] of batches.entries()) {
          const stats = await trainer.step(batch, lrs[i]);
          ours.push(stats.loss);
          norms.push(stats.gradNorm);
        }
        trainer.dispose();
        model.dispose();
        const diffs = ours.map((l, i) => Math.abs(l - torch.loss[i]));
        const worst = Math.max(...diffs);
        console.log(
          `${title}: ${STEPS} steps, loss ${ours[0].toFixed(4)} → ${ours.at(-1)!.toFixed(4)}, ` +
            `max |Δ loss| = ${worst.toExponential(2)} (first step ${diffs[0].toExponential(2)})`,
        );
        assert.ok(ours[0] - ours.at(-1)! > 0.05, "training must move the loss for the comparison to mean anything");
        assert.ok(diffs[0] < 1e-5, `first-step loss differs by ${diffs[0]}`);
        assert.ok(norms.some((n) => n > GRAD_CLIP), "clipping must engage");
        norms.forEach((n, i) => assert.ok(Math.abs(n - torch.gradNorm[i]) < 1e-3 * n, `gradient norm at step ${i}`));
        assert.ok(worst < TOLERANCE, `losses differ by up to ${worst}: ours ${ours} vs torch ${torch.loss}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
