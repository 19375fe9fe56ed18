/**
 * `deno task bench`: the `train-tiny` training benchmark on every available
 * backend (cpu, wasm, and webgpu when an adapter exists) for SwiGLU and
 * PolyNorm, side by side with the PyTorch peer when Debian's PyTorch is
 * installed. Writes `results/bench/latest.json`: one row per tfjs backend and
 * activation, then the peer's rows (`backend: "pytorch"`, `details.peer: true`).
 *
 *     deno run -A bench/train_tiny.ts [--backends cpu,wasm] [--activations swiglu] [--steps 20] [--warmup 5]
 *                                     [--threads 2] [--no-peer] [--out results/bench/latest.json]
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
  parseTrainBenchConfig,
  peerBenchEntries,
  type PeerResult,
  runPytorchPeer,
  runTrainBench,
  TRAIN_TINY,
  type TrainBenchResult,
  trainFlopsPerStep,
  withPeerRatios,
  writeBenchResults,
} from "../src/bench/mod.ts";
import { defaultGemmThreads, fastKernelsReady, installFastKernels } from "../src/kernels/mod.ts";

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
if (!values["no-peer"]) {
  console.log(`pytorch peer: ${threads} threads ...`);
  const peer = await runPytorchPeer({ threads, activations, steps: config.timedSteps, warmup: config.warmupSteps });
  if (peer.ok) peers = peer.rows;
  else console.log(`pytorch peer: skipped (${peer.reason})`);
}

const rows: TrainBenchResult[] = [];
for (const backend of backends) {
  const env = await initBackend(backend);
  installFastKernels({ threads });
  await fastKernelsReady();
  const peakGflops = await measureMatmulPeak(1024);
  console.log(`${backend}: matmul peak ${peakGflops.toFixed(1)} GFLOP/s (1024², ${threads} GEMM threads)`);
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
    const row = await runTrainBench(runConfig, activation, { env, peakGflops });
    console.log(`${backend}/${activation}: ${row.msPerStepMedian} ms/step (min ${row.details.msPerStepMin})`);
    rows.push(row);
  }
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
);
await writeBenchResults(values.out, [...final, ...peerEntries]);
console.log();
console.log(formatBenchTable(final, peerEntries));
for (const backend of [...backends, ...(peerEntries.length ? ["pytorch"] : [])]) {
  const all = [...final, ...peerEntries].filter((r) => r.backend === backend);
  const swiglu = all.find((r) => r.activation === "swiglu"), poly = all.find((r) => r.activation === "polynorm");
  if (swiglu && poly) {
    console.log(`${backend}: PolyNorm/SwiGLU step time ${(poly.msPerStepMedian / swiglu.msPerStepMedian).toFixed(3)}`);
  }
}
console.log(`\nwrote ${values.out}`);
