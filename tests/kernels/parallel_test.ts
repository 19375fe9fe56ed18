import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { nativeBlas } from "../../src/kernels/matmul/mod.ts";
import {
  HEAP_TASK_NAMES,
  HEAP_TASKS,
  type HeapTaskName,
  heapThreadCount,
  MIN_PARALLEL_WORK,
  partRange,
} from "../../src/kernels/parallel/mod.ts";
import { fastKernelsReady, installFastKernels } from "../../src/kernels/install.ts";
import { fusedSwiGLU } from "../../src/kernels/swiglu/mod.ts";
import { causalAttention } from "../../src/kernels/attention/mod.ts";
import { ropeHeads } from "../../src/kernels/rope/mod.ts";
import { fusedRmsNorm } from "../../src/kernels/rms_norm/mod.ts";
import { adamwConstants, fusedAdamW } from "../../src/kernels/adamw/mod.ts";
import { fusedClipByGlobalNorm } from "../../src/kernels/clip/mod.ts";
import { fusedCrossEntropyRows } from "../../src/kernels/cross_entropy/mod.ts";
import { polyNorm, polyReLU } from "../../src/activations/polycom.ts";
import { Rng } from "../../src/util/rng.ts";

const NO_BLAS = nativeBlas() ? null : "no native BLAS (apt-get install libopenblas0-pthread)";

Deno.test("partRange cuts [0, n) into contiguous aligned parts", () => {
  for (const [n, parts, align] of [[10, 2, 1], [10, 2, 4], [7, 3, 1], [1000, 7, 16], [3, 8, 1], [0, 2, 1]]) {
    let next = 0;
    for (let p = 0; p < parts; p++) {
      const [lo, hi] = partRange(n, p, parts, align);
      assert.equal(lo, next, `part ${p} of ${parts} over ${n} starts where the last ended`);
      assert.ok(hi >= lo);
      if (p < parts - 1) assert.equal(lo % align, 0);
      next = hi;
    }
    assert.equal(next, n);
  }
});

/**
 * Records which heap tasks run split over more than one part (on the calling thread, which runs part 0 of every
 * split task): the kernel comparison below must reach every task, so a task added in its op's `tasks.ts` is
 * compared as soon as a kernel calls it, and one no kernel here calls fails the test.
 */
function recordSplitTasks(): { seen: Set<HeapTaskName>; restore: () => void } {
  const seen = new Set<HeapTaskName>();
  const originals = { ...HEAP_TASKS };
  for (const name of HEAP_TASK_NAMES) {
    HEAP_TASKS[name] = (heap, args, part, parts, results, memory) => {
      if (parts > 1) seen.add(name);
      originals[name](heap, args, part, parts, results, memory);
    };
  }
  return { seen, restore: () => Object.assign(HEAP_TASKS, originals) };
}

Deno.test("wasm: every heap task, through its kernel, gives the same bits with heap threads as without", async () => {
  await initBackend("wasm");
  const memory = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
  const rng = new Rng(11);
  const random = (shape: number[]) =>
    tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
  const [g, u] = [random([256, 160]), random([256, 160])];
  const [q, k, v] = [random([4, 4, 64, 32]), random([4, 4, 64, 32]), random([4, 4, 64, 32])];
  // A sequence length off the SIMD rows: products and the softmax tasks apart.
  const [q2, k2, v2] = [random([4, 4, 66, 32]), random([4, 4, 66, 32]), random([4, 4, 66, 32])];
  const logits = random([255, 257]);
  const labels = tf.tensor1d(Array.from({ length: 255 }, (_, i) => (i * 37) % 257), "int32");
  const [p1, g1] = [random([300, 200]), random([300, 200])];
  const [p2, m2, v2s] = [random([40001]), random([40001]), tf.abs(random([40001]))];
  const x = random([8, 64, 4, 32]);
  const [a, b] = [random([512, 96]), random([96, 200])];
  // Large enough to be cut into blocks and spread over the threads, on both axes.
  const [c, d, e] = [random([1024, 128]), random([128, 160]), random([128, 1024])];
  const [h, w] = [random([512, 128]), random([128])];
  const coeffs = tf.tensor1d([0.1, 0.4, 0.3, 0.2]);
  assert.ok(g.size >= MIN_PARALLEL_WORK && x.size >= MIN_PARALLEL_WORK, "inputs large enough to be split");
  const run = () =>
    tf.tidy(() => {
      const swiglu = tf.grads((p: tf.Tensor, r: tf.Tensor) => tf.sum(tf.square(fusedSwiGLU(p, r))))([g, u]);
      const attn = tf.grads((p: tf.Tensor, r: tf.Tensor, s: tf.Tensor) =>
        tf.sum(tf.square(causalAttention(p as tf.Tensor4D, r as tf.Tensor4D, s as tf.Tensor4D)))
      )([q, k, v]);
      const rope = tf.grad((p: tf.Tensor) => tf.sum(tf.square(ropeHeads(p as tf.Tensor4D, 10000))))(x);
      const norm = tf.grads((p: tf.Tensor, r: tf.Tensor) => tf.sum(tf.square(fusedRmsNorm(p, r, 1e-5))))([h, w]);
      const pn = tf.grads((p: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(polyNorm(p, c as tf.Tensor1D))))([
        h,
        coeffs,
      ]);
      const pr = tf.grads((p: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(polyReLU(p, c as tf.Tensor1D))))([
        g,
        coeffs,
      ]);
      const attn2 = tf.grads((p: tf.Tensor, r: tf.Tensor, s: tf.Tensor) =>
        tf.sum(tf.square(causalAttention(p as tf.Tensor4D, r as tf.Tensor4D, s as tf.Tensor4D)))
      )([q2, k2, v2]);
      const ce = fusedCrossEntropyRows(logits, labels);
      const ceGrad = tf.grad((l: tf.Tensor) => tf.sum(fusedCrossEntropyRows(l, labels)))(logits);
      const { clipped, norm: clipNorm } = fusedClipByGlobalNorm([g1, m2], 0.5);
      const constants = adamwConstants([0.9, 0.95], 1e-8, 0.1, 1e-3, 3);
      const adamw = fusedAdamW([
        { p: p1, m: g1, v: tf.abs(p1), g: g1, decay: true },
        { p: p2, m: m2, v: v2s, g: null, decay: false },
      ], constants).flat();
      const products = [tf.matMul(a, b), tf.matMul(b, a, true, true), tf.matMul(c, d), tf.matMul(d, e, true, false)];
      // The coefficient and weight gradients sum over rows in blocks fixed by the shape: the same bits too.
      const outputs = [...swiglu, ...attn, rope, ...products, norm[0], pn[0], pr[0], pn[1], pr[1], norm[1]];
      outputs.push(...attn2, ce, ceGrad, ...clipped, clipNorm, ...adamw);
      return outputs.map((t) => t.dataSync().slice());
    });
  installFastKernels({ threads: 1 });
  await fastKernelsReady();
  const one = run();
  installFastKernels({ threads: 2 });
  await fastKernelsReady();
  if (heapThreadCount(memory) < 2) return; // no FFI permission: nothing to compare (warned)
  const recorded = recordSplitTasks();
  let two: ReturnType<typeof run>;
  try {
    two = run();
  } finally {
    recorded.restore();
  }
  // Without a BLAS the matmuls and the attention products take the wasm GEMM (the task `wasmGemm`), not the BLAS's
  // tasks; with one, the wasm GEMM is not used (tests/kernels/gemm_pool_test.ts runs it on the pool).
  const needBlas = new Set<HeapTaskName>(["sgemmPairs", "sgemmSplit", "attentionForward", "attentionBackward"]);
  const skipped = (t: HeapTaskName) => NO_BLAS === null ? t === "wasmGemm" : needBlas.has(t);
  const missing = HEAP_TASK_NAMES.filter((t) => !recorded.seen.has(t) && !skipped(t));
  assert.deepEqual(missing, [], "heap tasks that no kernel of this test ran on two threads");
  // Counted, not deepEqual'd: a diff of arrays this long would take gigabytes to print.
  one.forEach((want, i) => {
    const differ = want.filter((v, j) => !Object.is(v, two[i][j])).length;
    assert.equal(differ, 0, `output ${i}: ${differ} of ${want.length} floats differ`);
  });
});
