import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import {
  activeGemm,
  chooseCoreType,
  fastKernelsReady,
  installFastKernels,
  loadNativeBlas,
  planBatchMatMul,
} from "../../src/kernels/mod.ts";
import { Rng } from "../../src/util/rng.ts";

const load = loadNativeBlas();
const skip = load.ok ? null : load.reason;
const named = (title: string) => skip ? `${title} (skipped: no native BLAS: ${skip})` : title;
const rng = new Rng(21);
const random = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** float64 op(A)·op(B) for row-major stored operands. */
function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
      out[i * n + j] = s;
    }
  }
  return out;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, k: number, what: string) {
  assert.equal(got.length, want.length, `${what}: length`);
  // float32 accumulation over k terms of unit-normal products.
  const tol = 1e-6 * Math.sqrt(Math.max(k, 1)) * 8;
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${what} [${i}]: ${got[i]} vs ${want[i]}`);
  }
}

Deno.test("OPENBLAS_CORETYPE follows the CPU flags", () => {
  assert.equal(chooseCoreType(["sse3", "avx2", "fma", "avx512f", "avx512bw", "avx512vl"], "GenuineIntel"), "SkylakeX");
  assert.equal(chooseCoreType(["avx2", "fma"], "GenuineIntel"), "Haswell");
  assert.equal(chooseCoreType(["avx2", "fma"], "AuthenticAMD"), "Zen");
  assert.equal(chooseCoreType(["sse3", "avx"], "GenuineIntel"), null);
});

Deno.test({
  name: named("native sgemm equals a float64 reference for all transposes, odd shapes and offsets"),
  ignore: skip !== null,
  fn: () => {
    const blas = load.ok ? load.blas : null!;
    const shapes = [[1, 1, 1], [7, 33, 1], [1, 257, 7], [33, 7, 257], [257, 33, 65], [64, 128, 96]];
    for (const [m, k, n] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const pad = 5; // operands at non-zero offsets, as tensors inside the wasm heap are
          const a = random(pad + m * k), b = random(pad + k * n), c = new Float32Array(pad + m * n).fill(Number.NaN);
          blas.sgemm(ta, tb, m, n, k, a, pad, b, pad, c, pad);
          const want = reference(a.subarray(pad), b.subarray(pad), m, k, n, ta, tb);
          assertClose(c.subarray(pad), want, k, `${m}x${k}x${n} ta=${ta} tb=${tb}`);
          assert.ok(c.subarray(0, pad).every(Number.isNaN), "nothing before the output is written");
        }
      }
    }
    const info = blas.info();
    assert.ok(info.library.length > 0);
    assert.ok(info.threads === null || info.threads >= 1);
  },
});

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test({
    name: named(`${backend}: tf.matMul on the native BLAS, batched and broadcast, equals a float64 reference`),
    ignore: skip !== null,
    fn: async () => {
      await initBackend(backend);
      installFastKernels({ threads: 2, gemm: "native" });
      await fastKernelsReady();
      assert.equal(activeGemm(), "native");
      const cases: [number[], number[], boolean, boolean][] = [
        [[3, 7, 33], [33, 257], false, false], // folded: one tall product
        [[2, 1, 33, 7], [3, 257, 33], true, true], // broadcast on two batch axes
        [[1, 1], [1, 1], false, true],
        [[5, 1, 257], [5, 7, 257], false, true],
      ];
      for (const [as, bs, ta, tb] of cases) {
        const plan = planBatchMatMul(as, bs, ta, tb);
        const av = random(as.reduce((p, d) => p * d, 1)), bv = random(bs.reduce((p, d) => p * d, 1));
        const got = tf.matMul(tf.tensor(av, as), tf.tensor(bv, bs), ta, tb);
        assert.deepEqual(got.shape, plan.outShape);
        const values = await got.data();
        const mk = plan.m * plan.k, kn = plan.k * plan.n, mn = plan.m * plan.n;
        // Each output matrix from its A and B matrix (folded plans: rows of A are contiguous).
        const pairs = plan.foldedM === plan.m
          ? plan.pairs
          : [...Array(plan.foldedM / plan.m).keys()].map((i) => [i, 0]);
        pairs.forEach(([ia, ib], i) => {
          const want = reference(
            av.subarray(ia * mk, (ia + 1) * mk),
            bv.subarray(ib * kn, (ib + 1) * kn),
            plan.m,
            plan.k,
            plan.n,
            ta,
            tb,
          );
          assertClose(values.subarray(i * mn, (i + 1) * mn), want, plan.k, `[${as}]·[${bs}] matrix ${i}`);
        });
        tf.dispose(got);
      }
      installFastKernels({ threads: 2 });
    },
  });
}

async function probe(env: Record<string, string>, backend = "wasm") {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_gemm_probe.ts", import.meta.url).pathname, backend],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `probe failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!) as {
    gemm: string;
    fingerprint: { kind: string; threads: number; blas: { library: string; coreType: string | null } | null };
    reason: string | null;
    product: number[];
    losses: number[];
  };
}

const PRODUCT = [4, 12, 4, 6, 10, 27, 13, 15]; // [[1,2,3],[4,5,6]] · [[1,0,2,1],[0,3,1,1],[1,2,0,1]]

for (const hide of ["none", "/nonexistent/libcblas.so"]) {
  Deno.test(`without a native BLAS (POLYCOM_BLAS=${hide}) the wasm GEMM matmuls and trains`, async () => {
    const result = await probe({ POLYCOM_BLAS: hide });
    assert.equal(result.gemm, "wasm");
    assert.equal(result.fingerprint.kind, "wasm");
    assert.equal(result.fingerprint.blas, null);
    assert.match(result.reason ?? "", hide === "none" ? /POLYCOM_BLAS=none/ : /nonexistent/);
    assert.deepEqual(result.product, PRODUCT);
    assert.ok(result.losses.length === 3 && result.losses.every(Number.isFinite));
    assert.ok(result.losses[0] > 5 && result.losses[0] < 6, `first loss ≈ ln 256, got ${result.losses[0]}`);
  });
}

Deno.test({
  name: named("same BLAS, threads and seed give bit-identical training losses run after run"),
  ignore: skip !== null,
  fn: async () => {
    const env = { POLYCOM_GEMM_THREADS: "2" };
    const [first, second] = [await probe(env), await probe(env)];
    assert.equal(first.gemm, "native");
    assert.ok(first.fingerprint.blas !== null && first.fingerprint.blas.library.length > 0);
    assert.deepEqual(first.product, PRODUCT);
    assert.deepEqual(second.losses, first.losses);
  },
});

Deno.test({
  name: named("each call runs on the calling thread alone: the library starts no threads of its own"),
  ignore: skip !== null,
  fn: () => {
    if (!load.ok) return;
    // OpenBLAS reports its count; another CBLAS may not say.
    const threads = load.blas.threads();
    if (threads !== null) assert.equal(threads, 1);
    assert.equal(load.blas.info().threads, threads);
  },
});

Deno.test({
  name: named("sgemm refuses an operand that does not fit its array, before the library touches it"),
  ignore: skip !== null,
  fn() {
    const blas = load.ok ? load.blas : null!;
    const a = new Float32Array(6), b = new Float32Array(6), c = new Float32Array(4);
    blas.sgemm(false, false, 2, 2, 3, a, 0, b, 0, c, 0);
    assert.throws(() => blas.sgemm(false, false, 2, 2, 3, a, 1, b, 0, c, 0), RangeError, "A past its end");
    assert.throws(() => blas.sgemm(false, true, 2, 2, 3, a, 0, b.subarray(1), 0, c, 0), RangeError, "Bᵀ past its end");
    assert.throws(
      () => blas.sgemm(false, false, 2, 2, 3, a, 0, b, 0, new Float32Array(3), 0),
      RangeError,
      "C too small",
    );
    assert.throws(() => blas.sgemm(false, false, 2, 2, 3, a, 0, b, 0, c, 0, false, [2, 2, 2]), RangeError, "lda < k");
  },
});
