import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { installedFastKernels, installFastKernels, uninstallFastKernels } from "../../src/kernels/mod.ts";
import { gemmBlocks, MAX_GEMM_BLOCKS, MIN_GEMM_BLOCK } from "../../src/kernels/matmul/mod.ts";
import { partRange } from "../../src/kernels/parallel/task.ts";
import { Rng } from "../../src/util/rng.ts";

const rng = new Rng(11);
function randomTensor(shape: number[]): tf.Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rng.normal()), shape);
}

/** float64 reference of tf.matMul with broadcasting batch axes, written out index by index. */
function referenceMatMul(
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  ta: boolean,
  tb: boolean,
) {
  const ra = aShape.length, rb = bShape.length;
  const m = ta ? aShape[ra - 1] : aShape[ra - 2], k = ta ? aShape[ra - 2] : aShape[ra - 1];
  const n = tb ? bShape[rb - 2] : bShape[rb - 1];
  const outerA = aShape.slice(0, -2), outerB = bShape.slice(0, -2);
  const rank = Math.max(outerA.length, outerB.length);
  const padA = [...new Array(rank - outerA.length).fill(1), ...outerA];
  const padB = [...new Array(rank - outerB.length).fill(1), ...outerB];
  const outer = padA.map((d, i) => Math.max(d, padB[i]));
  const batch = outer.reduce((p, d) => p * d, 1);
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    let rem = t, ia = 0, ib = 0, sa = 1, sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const coord = rem % outer[d];
      rem = Math.floor(rem / outer[d]);
      ia += (padA[d] === 1 ? 0 : coord) * sa;
      ib += (padB[d] === 1 ? 0 : coord) * sb;
      sa *= padA[d];
      sb *= padB[d];
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[ia * m * k + (ta ? p * m + i : i * k + p)];
          const bv = b[ib * k * n + (tb ? j * k + p : p * n + j)];
          s += av * bv;
        }
        out[(t * m + i) * n + j] = s;
      }
    }
  }
  return { shape: [...outer, m, n], values: out };
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${what} [${i}]: ${got[i]} vs ${want[i]}`);
  }
}

/** [aShape, bShape] in stored (possibly transposed) layout, per transpose combination. */
function operandShapes(outerA: number[], outerB: number[], m: number, k: number, n: number, ta: boolean, tb: boolean) {
  return [[...outerA, ...(ta ? [k, m] : [m, k])], [...outerB, ...(tb ? [n, k] : [k, n])]];
}

const CASES: { outerA: number[]; outerB: number[]; m: number; k: number; n: number }[] = [
  { outerA: [], outerB: [], m: 37, k: 19, n: 23 },
  { outerA: [], outerB: [], m: 64, k: 128, n: 96 },
  { outerA: [5], outerB: [5], m: 9, k: 16, n: 12 }, // attention-like: batched both sides
  { outerA: [3], outerB: [], m: 10, k: 7, n: 13 }, // shared weight (folds when A is not transposed)
  { outerA: [], outerB: [4], m: 6, k: 5, n: 11 }, // shared left operand
  { outerA: [2, 1], outerB: [3], m: 4, k: 6, n: 5 }, // broadcast on two batch axes
  { outerA: [2], outerB: [2], m: 5, k: 0, n: 3 }, // empty inner dimension: all zeros
];

async function compareWithReferenceAndOriginal(backend: "cpu" | "wasm") {
  for (const c of CASES) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const what = `${backend} ${JSON.stringify(c)} ta=${ta} tb=${tb}`;
        const [as, bs] = operandShapes(c.outerA, c.outerB, c.m, c.k, c.n, ta, tb);
        const a = randomTensor(as), b = randomTensor(bs);
        const ref = referenceMatMul(await a.data() as Float32Array, as, await b.data() as Float32Array, bs, ta, tb);
        installFastKernels();
        const got = tf.matMul(a, b, ta, tb);
        assert.deepEqual(got.shape, ref.shape, what);
        assertClose(await got.data(), ref.values, 1e-5, what);
        // tfjs's own kernels get broadcasting over two batch axes wrong (wrong values on wasm, wrong size on
        // cpu), so they are no reference there.
        if (c.outerA.length < 2) {
          uninstallFastKernels();
          const original = tf.matMul(a, b, ta, tb);
          assertClose(await got.data(), await original.data(), 1e-4, `${what} vs tfjs's kernel`);
          installFastKernels();
          original.dispose();
        }
        tf.dispose([a, b, got]);
      }
    }
  }
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`${backend}: fast BatchMatMul equals a float64 reference and tfjs's own for all transposes, batches and broadcasts`, async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    await compareWithReferenceAndOriginal(backend);
    assert.equal(tf.memory().numTensors, before);
  });

  Deno.test(`${backend}: gradients through the fast matmul equal the original ones`, async () => {
    await initBackend(backend);
    // tfjs's BatchMatMul gradient cannot reduce over a broadcast batch axis, so the shared weight is 2-D here.
    const a = randomTensor([3, 20, 12]), b = randomTensor([12, 17]), w = randomTensor([60, 17]);
    const bT = randomTensor([3, 17, 12]);
    const f = (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(x.reshape([60, 12]), y), w)).add(tf.sum(tf.matMul(x, bT, false, true).square()));
    const grads = () => tf.grads(f)([a, b]);
    uninstallFastKernels();
    const want = await Promise.all(grads().map((g) => g.data()));
    installFastKernels();
    const got = await Promise.all(grads().map((g) => g.data()));
    for (let g = 0; g < 2; g++) assertClose(got[g], want[g], 1e-4, `${backend} grad ${g}`);
    tf.dispose([a, b, w, bT]);
  });

  Deno.test(`${backend}: fused matmul with bias and activation equals matmul, add and activation`, async () => {
    await initBackend(backend);
    installFastKernels();
    const a = randomTensor([2, 8, 6]), b = randomTensor([2, 5, 6]), bias = randomTensor([5]);
    const ref = referenceMatMul(
      await a.data() as Float32Array,
      [2, 8, 6],
      await b.data() as Float32Array,
      [2, 5, 6],
      false,
      true,
    );
    const biasValues = await bias.data();
    const activations: Record<string, (x: number) => number> = {
      linear: (x) => x,
      relu: (x) => Math.max(0, x),
      elu: (x) => x > 0 ? x : Math.exp(x) - 1,
      sigmoid: (x) => 1 / (1 + Math.exp(-x)),
      leakyrelu: (x) => x > 0 ? x : 0.1 * x,
    };
    for (const [activation, fn] of Object.entries(activations)) {
      const got = tf.fused.matMul({
        a,
        b,
        transposeB: true,
        bias,
        activation: activation as tf.fused.Activation,
        leakyreluAlpha: 0.1,
      });
      const want = ref.values.map((v, i) => fn(v + biasValues[i % 5]));
      assertClose(await got.data(), want, 1e-5, `${backend} ${activation}`);
      got.dispose();
    }
    tf.dispose([a, b, bias]);
  });

  // tfjs's wasm backend has no int32 matmul at all, so there is nothing to fall back to there.
  if (backend !== "wasm") {
    Deno.test(`${backend}: int32 matmul falls back to tfjs's kernel`, async () => {
      await initBackend(backend);
      installFastKernels();
      const got = tf.matMul(tf.tensor2d([[1, 2]], [1, 2], "int32"), tf.tensor2d([[3], [4]], [2, 1], "int32"));
      assert.deepEqual(Array.from(await got.data()), [11]);
    });
  }
}

Deno.test("installFastKernels is idempotent and initBackend installs it", async () => {
  uninstallFastKernels();
  assert.deepEqual(installedFastKernels(), []);
  await initBackend("cpu");
  const first = installedFastKernels();
  assert.ok(first.some((k) => k.kernelName === "BatchMatMul" && k.backendName === "cpu"));
  const kernel = tf.getKernel("BatchMatMul", "wasm")!.kernelFunc;
  assert.deepEqual(installFastKernels(), first);
  assert.equal(tf.getKernel("BatchMatMul", "wasm")!.kernelFunc, kernel, "a second install must not wrap again");
  uninstallFastKernels();
  assert.notEqual(tf.getKernel("BatchMatMul", "wasm")!.kernelFunc, kernel);
  installFastKernels();
});

Deno.test("a GEMM's blocks depend on its extent only: 1 to MAX_GEMM_BLOCKS, each within 16 rows (the cut alignment) of MIN_GEMM_BLOCK or more", () => {
  assert.deepEqual([0, 1, 100, 127, 128, 200, 2048, 100_000].map(gemmBlocks), [1, 1, 1, 1, 2, 3, 8, 8]);
  for (const extent of [128, 200, 333, 1000, 2048, 4099]) {
    const blocks = gemmBlocks(extent);
    assert.ok(blocks >= 1 && blocks <= MAX_GEMM_BLOCKS);
    for (let b = 0; b < blocks; b++) {
      const [lo, hi] = partRange(extent, b, blocks, 16);
      assert.ok(hi - lo >= MIN_GEMM_BLOCK - 16, `extent ${extent}, block ${b}: ${hi - lo} rows`);
    }
  }
});
