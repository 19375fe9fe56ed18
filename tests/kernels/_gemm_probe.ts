/**
 * Run as a subprocess by native_blas_test.ts: starts a backend (argument 1,
 * default wasm), does one matmul and a few training steps of a small model,
 * and prints JSON with the GEMM in use, the fingerprint's GEMM entry, the
 * matmul's values and the losses. The environment (POLYCOM_BLAS) decides
 * which GEMM loads.
 * @module
 */
import { initBackend, tf } from "../../src/backend/mod.ts";
import { parseTrainBenchConfig, runTrainBench, TRAIN_TINY } from "../../src/bench/mod.ts";
import { activeGemm, loadNativeBlas } from "../../src/kernels/mod.ts";

const backend = (Deno.args[0] ?? "wasm") as "wasm" | "cpu";
const env = await initBackend(backend);
const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
const b = tf.tensor2d([1, 0, 2, 1, 0, 3, 1, 1, 1, 2, 0, 1], [3, 4]);
const product = Array.from(await tf.matMul(a, b).data());
const config = parseTrainBenchConfig({
  ...TRAIN_TINY,
  layers: 1,
  batchSize: 2,
  seqLen: 32,
  warmupSteps: 1,
  timedSteps: 2,
});
const run = await runTrainBench(config, "swiglu", { env, peakGflops: 1 });
const load = loadNativeBlas();
console.log(JSON.stringify({
  gemm: activeGemm(),
  fingerprint: env.gemm,
  reason: load.ok ? null : load.reason,
  product,
  losses: run.details.losses,
}));
