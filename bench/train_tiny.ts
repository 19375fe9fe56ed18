/**
 * `deno task bench`: the `train-tiny` training benchmark on every available
 * backend (cpu, wasm, and webgpu when an adapter exists) for SwiGLU and
 * PolyNorm, side by side with the PyTorch peer (eager and `torch.compile`,
 * from `.venv`, see tools/python_env.sh). With a native BLAS, wasm also runs
 * once on the wasm SIMD GEMM (`wasm (no BLAS)`): the fallback's speed. Prints
 * per row ms/step (median, min), tokens/s, GFLOP/s, % of the machine's fp32
 * GEMM peak measured in the same run (native `sgemm` 2048²), GEMM share of
 * kernel time and kernel calls per step (one profiled step), and the ratio to
 * each peer row. Writes `results/bench/latest.json`: one row per tfjs backend and
 * activation, then the peer's rows (`backend: "pytorch-eager"` / `"pytorch-compile"`, `details.peer: true`).
 *
 *     deno run -A bench/train_tiny.ts [--backends cpu,wasm] [--activations swiglu] [--steps 20] [--warmup 5]
 *                                     [--threads 2] [--no-peer] [--no-compile] [--no-fallback]
 *                                     [--compile-timeout 300] [--out results/bench/latest.json]
 *                                     [--software-gpu-steps 3]
 *
 * On a software WebGPU adapter (lavapipe) a step takes seconds, so that backend runs 1 warm-up and
 * `--software-gpu-steps` timed steps: it is there to show the same losses, not speed.
 *
 * Not named `*_bench.ts` on purpose: `deno bench bench/` would run it again.
 * @module
 */
import { parseArgs } from "node:util";
import { initBackend, probeWebGPU } from "../src/backend/mod.ts";
import type { BackendName } from "../src/backend/mod.ts";
import {
  benchModelConfig,
  formatBenchTable,
  LATEST_BENCH_PATH,
  measureMatmulPeak,
  measureNativePeak,
  parseTrainBenchConfig,
  peerBenchEntries,
  type PeerResult,
  runPytorchPeers,
  runTrainBench,
  TRAIN_TINY,
  type TrainBenchResult,
  trainFlopsPerStep,
  withPeerRatios,
  writeBenchResults,
} from "../src/bench/mod.ts";
import {
  activeGemm,
  defaultGemmThreads,
  fastKernelsReady,
  heapThreadCount,
  installFastKernels,
  loadNativeBlas,
  wasmBackendMemory,
} from "../src/kernels/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    backends: { type: "string" },
    activations: { type: "string", default: "swiglu,polynorm" },
    steps: { type: "string", default: String(TRAIN_TINY.timedSteps) },
    warmup: { type: "string", default: String(TRAIN_TINY.warmupSteps) },
    threads: { type: "string" },
    "software-gpu-steps": { type: "string", default: "3" },
    "no-peer": { type: "boolean", default: false },
    "no-compile": { type: "boolean", default: false },
    "no-fallback": { type: "boolean", default: false },
    "compile-timeout": { type: "string", default: "300" },
    out: { type: "string", default: LATEST_BENCH_PATH },
  },
});

function fail(message: string): never {
  console.error(`bench: ${message}`);
  Deno.exit(2);
}

const intOption = (name: string, text: string, min: number) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got '${text}'`);
  return n;
};

// Mesa warns on every start without a runtime dir (lavapipe is what gives WebGPU an adapter here).
if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", "/tmp");

const config = parseTrainBenchConfig({
  ...TRAIN_TINY,
  timedSteps: intOption("steps", values.steps, 1),
  warmupSteps: intOption("warmup", values.warmup, 0),
});
const threads = values.threads === undefined ? defaultGemmThreads() : intOption("threads", values.threads, 1);
const activations = values.activations.split(",").filter(Boolean);
for (const a of activations) {
  if (!(a in config.widths)) {
    fail(`unknown activation '${a}' (train-tiny has: ${Object.keys(config.widths).join(", ")})`);
  }
}
const adapter = await probeWebGPU();
const backends: BackendName[] = values.backends
  ? values.backends.split(",").map((b) => {
    if (b !== "cpu" && b !== "wasm" && b !== "webgpu") fail(`unknown backend '${b}' (cpu, wasm, webgpu)`);
    return b;
  })
  : ["wasm", "cpu", ...(adapter ? ["webgpu" as const] : [])];
if (!adapter && !values.backends) console.log("webgpu: skipped (no WebGPU adapter)");

let peers: PeerResult[] = [];
const notes: string[] = [];
if (!values["no-peer"]) {
  console.log(`pytorch peer: ${threads} threads ...`);
  const peer = await runPytorchPeers({
    threads,
    activations,
    steps: config.timedSteps,
    warmup: config.warmupSteps,
    modes: values["no-compile"] ? ["eager"] : ["eager", "compile"],
    compileTimeoutMs: intOption("compile-timeout", values["compile-timeout"], 1) * 1000,
  });
  peers = peer.rows;
  notes.push(...peer.notes);
  for (const note of peer.notes) console.log(note);
}

// The MFU denominator: the machine's fp32 GEMM peak, measured now, on the same threads.
const blasLoad = loadNativeBlas();
const nativePeak = await measureNativePeak(2048, threads);
if (blasLoad.ok) {
  const info = blasLoad.blas.info();
  console.log(
    `native BLAS: ${info.library} (${info.version ?? "CBLAS"}, core ${
      info.coreType ?? "?"
    }, one thread a call, on ${threads} threads): ` +
      `sgemm 2048² ${nativePeak!.toFixed(1)} GFLOP/s`,
  );
} else console.log(`native BLAS: none (${blasLoad.reason}); % peak is over each backend's own matmul rate`);

const rows: TrainBenchResult[] = [];
type Run = { backend: BackendName; gemm: "auto" | "wasm" };
const runs: Run[] = backends.flatMap((backend): Run[] =>
  backend === "wasm" && blasLoad.ok && !values["no-fallback"]
    ? [{ backend, gemm: "auto" }, { backend, gemm: "wasm" }]
    : [{ backend, gemm: "auto" }]
);
for (const { backend, gemm } of runs) {
  const env = await initBackend(backend);
  installFastKernels({ threads, gemm });
  await fastKernelsReady();
  env.gemm = {
    kind: activeGemm(),
    threads: env.gemm?.threads ?? threads,
    blas: gemm === "wasm" ? null : env.gemm?.blas ?? null,
  };
  if (env.wasm) env.wasm.heapThreads = heapThreadCount(wasmBackendMemory());
  const peakGflops = await measureMatmulPeak(1024);
  const label = gemm === "wasm" ? `${backend} (no BLAS)` : backend;
  // The fast matmul kernels replace tfjs's on cpu and wasm only; WebGPU runs its own shaders.
  const heapThreads = backend === "wasm" ? `, fused kernels on ${env.wasm?.heapThreads ?? 1} heap threads` : "";
  const gemmUsed = backend === "webgpu" ? "WebGPU shader" : `${activeGemm()} GEMM, ${threads} threads${heapThreads}`;
  console.log(`${label}: tf.matMul 1024² ${peakGflops.toFixed(1)} GFLOP/s (${gemmUsed})`);
  const machinePeak = nativePeak === null
    ? { gflops: peakGflops, source: `${backend} backend matMul 1024² (no native BLAS)` }
    : { gflops: nativePeak, source: "native BLAS sgemm 2048²" };
  const software = backend === "webgpu" && env.adapter?.isFallback;
  const runConfig = software
    ? {
      ...config,
      warmupSteps: Math.min(1, config.warmupSteps),
      timedSteps: intOption("software-gpu-steps", values["software-gpu-steps"], 1),
    }
    : config;
  if (software) {
    console.log(`${backend}: software adapter (${env.adapter?.description}): ${runConfig.timedSteps} timed steps`);
  }
  for (const activation of activations) {
    const row = await runTrainBench(runConfig, activation, { env, peakGflops, machinePeak });
    if (gemm === "wasm") row.backend = label;
    console.log(
      `${label}/${activation}: ${row.msPerStepMedian} ms/step (min ${row.details.msPerStepMin}), ` +
        `${row.details.profile?.kernelCalls ?? "?"} kernel calls/step`,
    );
    rows.push(row);
  }
  // Leave the default GEMM in place for whatever runs next.
  if (gemm === "wasm") installFastKernels({ threads });
}

// Same seed, same batches: every backend should follow the same loss curve.
for (const activation of activations) {
  const same = rows.filter((r) => r.activation === activation);
  for (const r of same.slice(1)) {
    const ref = same[0].details.losses;
    const n = Math.min(ref.length, r.details.losses.length);
    const diff = Math.max(...r.details.losses.slice(0, n).map((l, i) => Math.abs(l - ref[i])));
    console.log(
      `${activation}: max |loss(${r.backend}) - loss(${same[0].backend})| over ${n} steps = ${diff.toExponential(2)}`,
    );
  }
}

const final = withPeerRatios(rows, peers);
const peerEntries = peerBenchEntries(
  peers,
  (a) => trainFlopsPerStep(benchModelConfig(config, a), config.seqLen, config.batchSize),
  nativePeak,
);
await writeBenchResults(values.out, [...final, ...peerEntries]);
console.log();
console.log(
  `% peak: model FLOP/s over ${final[0]?.details.peakSource ?? "-"} (${final[0]?.details.peakGflops} GFLOP/s)`,
);
console.log(formatBenchTable(final, peerEntries, notes));
for (const backend of new Set([...final, ...peerEntries].map((r) => r.backend))) {
  const all = [...final, ...peerEntries].filter((r) => r.backend === backend);
  const swiglu = all.find((r) => r.activation === "swiglu"), poly = all.find((r) => r.activation === "polynorm");
  if (swiglu && poly) {
    console.log(`${backend}: PolyNorm/SwiGLU step time ${(poly.msPerStepMedian / swiglu.msPerStepMedian).toFixed(3)}`);
  }
}
console.log(`\nwrote ${values.out}`);
