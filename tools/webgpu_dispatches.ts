/**
 * WebGPU compute dispatches and tfjs kernel calls of one `train-tiny` step
 * (bench/train_tiny.ts's model, trainer and batches), after one warm-up step,
 * and the median time of three steps, for SwiGLU and PolyNorm; `--stock` first unregisters the webgpu kernels of
 * the fused attention, RoPE, SwiGLU, AdamW and clipping, so the model runs
 * the stock ops there (the count before those kernels existed); `--programs`
 * also prints the dispatches per program (shader key, most first).
 *
 *   XDG_RUNTIME_DIR=/tmp/xdg-runtime-0 deno run -A tools/webgpu_dispatches.ts [--stock] [--programs]
 *
 * The step times are software speed on lavapipe (no GPU claim); use the
 * bench for speed.
 * @module
 */
import { initBackend, tf } from "../src/backend/mod.ts";
import { benchModelConfig, TRAIN_TINY } from "../src/bench/config.ts";
import { FLAT_ADAMW } from "../src/kernels/adamw/mod.ts";
import { FUSED_CAUSAL_ATTENTION, FUSED_CAUSAL_ATTENTION_GRAD } from "../src/kernels/attention/mod.ts";
import { countDispatches } from "../src/kernels/fused/mod.ts";
import { FUSED_ROPE_HEADS, FUSED_ROPE_HEADS_GRAD } from "../src/kernels/rope/mod.ts";
import { FUSED_SWIGLU, FUSED_SWIGLU_GRAD } from "../src/kernels/swiglu/mod.ts";
import { createModel, PAPER_ADAMW, Trainer } from "../src/model/mod.ts";
import { Rng } from "../src/util/rng.ts";

const FUSED_HERE = [
  FLAT_ADAMW,
  FUSED_SWIGLU,
  FUSED_SWIGLU_GRAD,
  FUSED_ROPE_HEADS,
  FUSED_ROPE_HEADS_GRAD,
  FUSED_CAUSAL_ATTENTION,
  FUSED_CAUSAL_ATTENTION_GRAD,
];

await initBackend("webgpu");
const stock = Deno.args.includes("--stock");
const perProgram = Deno.args.includes("--programs");
if (stock) { for (const name of FUSED_HERE) tf.unregisterKernel(name, "webgpu"); }
const config = TRAIN_TINY;
const rng = new Rng(config.seed + 1);
const batch = () => {
  const n = config.batchSize * config.seqLen;
  const s = Int32Array.from({ length: n + 1 }, () => rng.int(config.vocab));
  return { inputs: s.subarray(0, n), targets: s.subarray(1), batchSize: config.batchSize, seqLen: config.seqLen };
};
for (const activation of ["swiglu", "polynorm"]) {
  const model = createModel(benchModelConfig(config, activation), config.seed);
  const trainer = new Trainer(model, { ...PAPER_ADAMW, decayExclude: "one_dim", gradClip: 1 });
  try {
    await trainer.step(batch(), config.learningRate);
    const byProgram = new Map<string, number>();
    const stop = countDispatches(tf.backend(), byProgram);
    await trainer.step(batch(), config.learningRate);
    const dispatches = stop();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await trainer.step(batch(), config.learningRate);
      times.push(performance.now() - t0);
    }
    const ms = times.sort((a, b) => a - b)[1];
    const profile = await tf.profile(async () => {
      await trainer.step(batch(), config.learningRate);
    });
    console.log(
      `webgpu${stock ? " (stock ops)" : ""}/${activation}: ${dispatches} dispatches/step, ` +
        `${profile.kernels.length} kernel calls/step, ${ms.toFixed(0)} ms/step (median of 3, lavapipe)`,
    );
    if (perProgram) {
      for (const [key, n] of [...byProgram].sort((a, b) => b[1] - a[1])) {
        // tfjs appends the shapes, dtypes and layouts to a program's key from its first "_<digits>," on.
        console.log(`  ${String(n).padStart(4)}  ${key.split(/_\d+,/)[0]}`);
      }
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
}
