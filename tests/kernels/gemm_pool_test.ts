import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import {
  activeGemm,
  fastKernelsReady,
  gemmThreads,
  installFastKernels,
  planBatchMatMul,
  POOL_MIN_FLOPS,
  runGemmJob,
  uninstallFastKernels,
} from "../../src/kernels/mod.ts";
import { WorkerPool } from "../../src/kernels/parallel/mod.ts";
import { Rng } from "../../src/util/rng.ts";

const rng = new Rng(5);

function reference(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, shareB: boolean) {
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[(t * m + i) * k + p] * b[(shareB ? 0 : t) * k * n + p * n + j];
        out[(t * m + i) * n + j] = s;
      }
    }
  }
  return out;
}

for (const threads of [2, 3]) {
  Deno.test(`the wasm GEMM on a ${threads}-thread pool splits rows and batches correctly`, async () => {
    const pool = await WorkerPool.start(threads);
    try {
      // [batch, m, k, n, B shared?]: one tall GEMM split by rows (ragged), and batches split between threads.
      for (
        const [batch, m, k, n, shareB] of [[1, 77, 33, 29, true], [5, 13, 9, 21, false], [4, 30, 16, 8, true]] as const
      ) {
        const a = Float32Array.from({ length: batch * m * k }, () => rng.normal());
        const b = Float32Array.from({ length: (shareB ? 1 : batch) * k * n }, () => rng.normal());
        const plan = planBatchMatMul([batch, m, k], shareB ? [k, n] : [batch, k, n], false, false);
        let got = new Float32Array(0);
        runGemmJob(pool, plan, a.length, b.length, (buf) => {
          buf.heap.set(a, buf.a);
          buf.heap.set(b, buf.b);
          buf.heap.fill(Number.NaN, buf.out, buf.out + batch * m * n);
        }, (buf) => {
          got = buf.heap.slice(buf.out, buf.out + batch * m * n);
        });
        const want = reference(a, b, batch, m, k, n, shareB);
        for (let i = 0; i < want.length; i++) {
          assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i])), `[${batch},${m},${k},${n}] ${i}`);
        }
      }
    } finally {
      pool.close();
    }
  });
}

for (const [backend, gemm] of [["cpu", "auto"], ["wasm", "auto"], ["cpu", "wasm"], ["wasm", "wasm"]] as const) {
  Deno.test(`${backend}, ${gemm} GEMM: threaded matmuls (above the pool threshold) equal tfjs's own`, async () => {
    await initBackend(backend);
    installFastKernels({ threads: 2, gemm });
    await fastKernelsReady();
    // With a native BLAS the cpu backend's matmuls are one call each on this thread; wasm's go over the heap threads.
    assert.equal(gemmThreads(), backend === "cpu" && activeGemm() === "native" ? 1 : 2);
    const cases: [number[], number[], boolean, boolean][] = [
      [[3, 70, 130], [150, 130], false, true], // folded rows, transposed B
      [[16, 64, 64], [16, 64, 64], true, false], // batches split between threads
      [[130, 210], [130, 150], true, false], // weight-gradient shape: rows of Aᵀ split
    ];
    for (const [as, bs, ta, tb] of cases) {
      const plan = planBatchMatMul(as, bs, ta, tb);
      assert.ok(2 * plan.foldedM * plan.k * plan.n * plan.pairs.length >= POOL_MIN_FLOPS, "case must be threaded");
      const a = tf.randomNormal(as), b = tf.randomNormal(bs);
      uninstallFastKernels();
      const want = tf.matMul(a, b, ta, tb);
      installFastKernels({ threads: 2, gemm });
      const got = tf.matMul(a, b, ta, tb);
      assert.deepEqual(got.shape, want.shape);
      const [g, w] = [await got.data(), await want.data()];
      for (let i = 0; i < w.length; i++) {
        assert.ok(Math.abs(g[i] - w[i]) <= 1e-4 * (1 + Math.abs(w[i])), `[${as}] ${i}`);
      }
      tf.dispose([a, b, want, got]);
    }
  });
}

Deno.test("threads can be switched off and on again", async () => {
  installFastKernels({ threads: 1 });
  await fastKernelsReady();
  assert.equal(gemmThreads(), 1);
  installFastKernels({ threads: 2 });
  await fastKernelsReady();
  assert.equal(gemmThreads(), 2);
  assert.throws(() => installFastKernels({ threads: 0 }), RangeError);
});
