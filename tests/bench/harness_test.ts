import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import {
  benchModelConfig,
  formatBenchTable,
  median,
  parseTrainBenchConfig,
  peerBenchEntries,
  quantile,
  runPytorchPeer,
  runTrainBench,
  TRAIN_TINY,
  trainFlopsPerStep,
  withPeerRatios,
  writeBenchResults,
} from "../../src/bench/mod.ts";
import { countParameters } from "../../src/model/mod.ts";
import { readBench } from "../../src/report/bench.ts";
import { UsageError } from "../../src/util/errors.ts";

const TINY = parseTrainBenchConfig({
  ...TRAIN_TINY,
  name: "harness-test",
  vocab: 32,
  hidden: 16,
  layers: 1,
  heads: 2,
  seqLen: 8,
  batchSize: 2,
  widths: { swiglu: 24, polynorm: 32 },
  warmupSteps: 1,
  timedSteps: 2,
});

Deno.test("median and quantile", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.9), 4.6);
  assert.equal(quantile([7], 0.5), 7);
  assert.throws(() => median([]), RangeError);
});

Deno.test("train-tiny config: widths are taken literally and unknown keys are rejected", () => {
  const swiglu = benchModelConfig(TRAIN_TINY, "swiglu");
  const polynorm = benchModelConfig(TRAIN_TINY, "polynorm");
  assert.equal(swiglu.intermediate_size, 344);
  assert.equal(polynorm.intermediate_size, 512);
  assert.equal(polynorm.hidden_size, 128);
  assert.equal(polynorm.num_hidden_layers, 4);
  assert.equal(polynorm.num_attention_heads, 4);
  assert.equal(polynorm.vocab_size, 256);
  assert.throws(() => parseTrainBenchConfig({ ...TRAIN_TINY, extra: 1 }), UsageError);
  assert.throws(() => benchModelConfig(TRAIN_TINY, "gelu"), /no MLP width/);
});

Deno.test("model FLOPs per step of train-tiny, counted by hand", () => {
  const d = 128, layers = 4, seq = 128, tokens = 16 * 128, vocab = 256;
  // Matmul weights: attention 4d², SwiGLU 3·d·344, lm_head vocab·d (the embedding lookup is no matmul).
  const matmulParams = layers * (4 * d * d + 3 * d * 344) + vocab * d;
  const attention = 12 * layers * seq * d;
  assert.equal(
    trainFlopsPerStep(benchModelConfig(TRAIN_TINY, "swiglu"), seq, 16),
    (6 * matmulParams + attention) * tokens,
  );
  assert.ok(countParameters(benchModelConfig(TRAIN_TINY, "swiglu")).total > matmulParams);
});

Deno.test("runTrainBench on a tiny config: timings, throughput, MFU and no leaked tensors", async () => {
  const env = await initBackend("cpu");
  const before = tf.memory().numTensors;
  const steps: number[] = [];
  const row = await runTrainBench(TINY, "polynorm", { env, peakGflops: 2, onStep: (s) => steps.push(s) });
  assert.deepEqual(steps, [0, 1, 2]);
  assert.equal(row.name, "harness-test");
  assert.equal(row.backend, "cpu");
  assert.equal(row.activation, "polynorm");
  assert.equal(row.env, env);
  assert.equal(row.details.msPerStep.length, 2);
  assert.ok(Math.abs(row.msPerStepMedian - median(row.details.msPerStep)) <= 0.011);
  assert.ok(row.msPerStepMedian > 0);
  // msPerStepMedian is rounded to 0.01 ms; at a few ms per step that moves tokens/s by more than 1.
  const msRounding = 16000 * 0.005 / row.msPerStepMedian ** 2;
  assert.ok(Math.abs(row.tokensPerSecond - 16 / (row.msPerStepMedian / 1000)) < 1 + msRounding);
  const flops = trainFlopsPerStep(benchModelConfig(TINY, "polynorm"), 8, 2);
  assert.equal(row.details.modelFlopsPerStep, flops);
  assert.ok(Math.abs(row.mfu - flops / (row.msPerStepMedian / 1000) / 2e9) < 1e-3);
  assert.ok(Number.isFinite(row.details.finalLoss));
  assert.equal(row.details.leakedTensors, 0);
  assert.equal(tf.memory().numTensors, before);
  // The profiled extra step: every kernel counted, the matmuls among them.
  const profile = row.details.profile!;
  assert.ok(profile.kernelCalls > 50, `kernel calls ${profile.kernelCalls}`);
  assert.equal(profile.byKernel.reduce((n, k) => n + k.calls, 0), profile.kernelCalls);
  assert.ok(profile.byKernel.some((k) => k.name === "BatchMatMul" || k.name === "_FusedMatMul"));
  assert.ok(profile.gemmShare > 0 && profile.gemmShare <= 1);
  assert.equal(row.details.peakSource, "cpu backend matMul 1024²");
  const keys = Object.keys(row);
  for (const k of ["name", "backend", "activation", "msPerStepMedian", "tokensPerSecond", "mfu", "env"]) {
    assert.ok(keys.includes(k), k);
  }
});

Deno.test("peer ratios, table and result file", async () => {
  const env = await initBackend("cpu");
  const row = await runTrainBench(TINY, "swiglu", { env, peakGflops: 1 });
  const peers = [{
    name: "harness-test",
    backend: "pytorch" as const,
    activation: "swiglu",
    msPerStepMedian: row.msPerStepMedian * 2,
    tokensPerSecond: 1,
    env: {},
  }];
  const compiled = { ...peers[0], mode: "compile" as const, msPerStepMedian: row.msPerStepMedian * 4 };
  const [withRatio] = withPeerRatios([row], [...peers, compiled]);
  assert.equal(withRatio.details.ratioToPytorch, 0.5);
  assert.deepEqual(withRatio.details.peerRatios?.map((r) => [r.peer, r.ratio]), [
    ["pytorch-eager", 0.5],
    ["pytorch-compile", 0.25],
  ]);
  assert.equal(withRatio.details.pytorchMsPerStep, row.msPerStepMedian * 2);
  assert.equal(withPeerRatios([row], []).at(0)!.details.ratioToPytorch, undefined);
  const entries = peerBenchEntries(
    [{ ...peers[0], env: { matmul2048GFlops: 10, blas: "mkl" }, msPerStepMin: 3 }, peers[0], {
      ...compiled,
      env: { matmul2048GFlops: 30 },
    }],
    () => row.details.modelFlopsPerStep,
    40,
  );
  assert.equal(entries[0].backend, "pytorch-eager");
  assert.equal(entries[2].backend, "pytorch-compile");
  // 10 GFLOP/s against a 40 GFLOP/s native GEMM: below half, not fair; 30 is fair; unknown is null.
  assert.deepEqual(entries.map((e) => e.details.fair), [false, null, true]);
  assert.equal(entries[0].details.peer, true);
  const gflops = row.details.modelFlopsPerStep / (peers[0].msPerStepMedian / 1000) / 1e9;
  assert.ok(Math.abs(entries[0].mfu! - gflops / 10) < 1e-4);
  assert.equal(entries[1].mfu, null);
  assert.equal(entries[0].details.msPerStepMin, 3);
  const table = formatBenchTable([withRatio], entries, ["pytorch-x: no row (stopped)"]);
  assert.match(table, /cpu\s+native|cpu\s+wasm/);
  assert.match(table, /0\.50x\s+0\.25x/);
  assert.match(table, /pytorch-eager\s+mkl\s+swiglu/);
  assert.match(table, /pytorch-eager: torch \?, BLAS mkl.*NOT A FAIR COMPARISON/);
  assert.doesNotMatch(table, /pytorch-compile:.*NOT A FAIR/);
  assert.match(table, /pytorch-x: no row \(stopped\)$/);
  const dir = await Deno.makeTempDir();
  try {
    await writeBenchResults(`${dir}/latest.json`, [withRatio, entries[0]]);
    const back = JSON.parse(await Deno.readTextFile(`${dir}/latest.json`));
    assert.equal(back.length, 2);
    assert.equal(back[1].backend, "pytorch-eager");
    // The report's reader must accept what the bench writes.
    await Deno.mkdir(`${dir}/bench`);
    await Deno.rename(`${dir}/latest.json`, `${dir}/bench/latest.json`);
    const read = await readBench(dir);
    assert.equal(read?.problem, null);
    assert.equal(read?.entries.length, 2);
    assert.equal(back[0].msPerStepMedian, row.msPerStepMedian);
    assert.equal(back[0].env.backend, "cpu");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPytorchPeer reads the peer's JSON and reports failures", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/good.sh`, bad = `${dir}/bad.sh`;
    await Deno.writeTextFile(
      good,
      `echo '[{"name":"train-tiny","backend":"pytorch","activation":"swiglu","msPerStepMedian":9,"tokensPerSecond":1,"env":{}}]'`,
    );
    await Deno.writeTextFile(bad, "echo boom >&2; exit 3");
    const ok = await runPytorchPeer({
      threads: 1,
      activations: ["swiglu"],
      steps: 1,
      warmup: 0,
      python: "sh",
      script: good,
    });
    assert.ok(ok.ok);
    if (ok.ok) assert.equal(ok.rows[0].msPerStepMedian, 9);
    const failed = await runPytorchPeer({
      threads: 1,
      activations: [],
      steps: 1,
      warmup: 0,
      python: "sh",
      script: bad,
    });
    assert.ok(!failed.ok);
    if (!failed.ok) assert.match(failed.reason, /boom/);
    const missing = await runPytorchPeer({ threads: 1, activations: [], steps: 1, warmup: 0, python: `${dir}/nope` });
    assert.ok(!missing.ok);
    // A compile run that hangs is stopped and reported, not waited for.
    const slow = `${dir}/slow.sh`;
    await Deno.writeTextFile(slow, "exec sleep 20");
    const t0 = performance.now();
    const stopped = await runPytorchPeer({
      threads: 1,
      activations: [],
      steps: 1,
      warmup: 0,
      mode: "compile",
      timeoutMs: 300,
      python: "sh",
      script: slow,
    });
    assert.ok(!stopped.ok);
    if (!stopped.ok) assert.match(stopped.reason, /stopped after/);
    assert.ok(performance.now() - t0 < 10_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
