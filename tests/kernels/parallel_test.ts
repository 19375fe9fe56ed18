import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { nativeBlas } from "../../src/kernels/matmul/mod.ts";
import {
  HEAP_TASK_NAMES,
  HEAP_TASKS,
  type HeapTaskName,
  heapThreadCount,
  HeapThreads,
  MIN_PARALLEL_WORK,
  partRange,
  startHeapThreads,
} from "../../src/kernels/parallel/mod.ts";
import { fusedSwiGLU } from "../../src/kernels/swiglu/mod.ts";
import { causalAttention } from "../../src/kernels/attention/mod.ts";
import { ropeHeads } from "../../src/kernels/rope/mod.ts";
import { adamwConstants } from "../../src/kernels/adamw/math.ts";
import { clipChunks } from "../../src/kernels/clip/math.ts";
import { setHeapMemory } from "../../src/kernels/_wasm/staged.ts";
import { fusedRmsNorm } from "../../src/kernels/rms_norm/mod.ts";
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

const N = 1 << 16;
/** Float offsets of the regions each task reads and writes (each N floats, 16 regions). */
const R = (i: number) => i * N;
const SEQ = 128, MATRICES = 4;

/** Arguments of each task over the regions, sized above MIN_PARALLEL_WORK. */
function argsFor(task: HeapTaskName): number[] {
  const c = adamwConstants([0.9, 0.95], 1e-8, 0.1, 1e-3, 3);
  const constants = [c.b1, c.b1c, c.b2, c.b2c, c.bc2, c.eps, c.step, c.decay];
  switch (task) {
    case "swigluForward":
      return [R(0), R(1), R(2), R(3), N];
    case "swigluBackward":
      return [R(0), R(1), R(2), R(3), R(4), R(5), N - 5];
    case "ropeHeads":
      return [R(0), R(6), 8, 32, 4, 64, 10000, 1];
    case "adamw":
      return [
        ...constants,
        R(0),
        R(1),
        R(2),
        R(3),
        R(7),
        R(8),
        R(9),
        N,
        1,
        R(4),
        -1,
        R(5),
        R(6),
        R(10),
        R(11),
        R(12),
        77,
        0,
      ];
    case "softmaxCausal":
      return [R(12), SEQ, MATRICES, 0.125];
    case "softmaxBackward":
      return [R(0), R(13), SEQ, MATRICES, 0.125];
    case "attentionForward":
      // q, k, v [4, 128, 32]; probs [4, 128, 128] (one region); out: two causal blocks a matrix.
      return [R(0), R(1), R(2), R(13), R(14), SEQ, 32, MATRICES, 0.125];
    case "attentionBackward":
      return [R(3), R(0), R(1), R(2), R(4), R(10), R(11), R(12), SEQ, 32, MATRICES, 0.125];
    case "sgemmPairs":
      return [0, 1, 64, 64, 32, 64, R(0), R(1), R(14), 0, 0, 1, 1, 2, 0, 3, 3];
    case "sgemmSplit":
      return [1, 0, 200, 120, 96, R(2), R(3), R(15), 0];
    case "rmsNormForward":
      return [R(0), R(1), R(4), 512, 128, 1e-5];
    case "polyNormForward":
      return [R(0), R(4), 512, 128, R(1), 4, 1e-6];
    case "polyNormBackward":
      return [R(0), R(1), R(5), 512, 128, R(2), 4, 1e-6];
    case "polyReLUForward":
      return [R(0), R(4), N - 3, R(1), 4];
    case "polyReLUBackward":
      return [R(0), R(1), R(5), N - 7, R(2), 4];
    case "rmsNormBackward":
      return [R(0), R(1), R(2), R(5), 512, 128, 1e-5];
    case "crossEntropyForward":
      return [R(0), R(14), R(4), 255, 257];
    case "crossEntropyBackward":
      return [R(1), R(0), R(14), R(5), 255, 257];
    case "clipSumSquares":
      // Its sums land in the result slots, not the heap: the scale pass below covers the chunking.
      return [2, R(0), N - 3, R(1), 40001];
    case "clipScale":
      return [0.37, 2, R(0), N - 3, R(1), 40001, R(4), R(5)];
  }
}

/** Integer inputs a task reads, written over the random floats: the cross-entropy's labels (one out of range). */
function prepare(task: HeapTaskName, heap: Float32Array): void {
  if (!task.startsWith("crossEntropy")) return;
  const labels = new Int32Array(heap.buffer, R(14) * 4, 255);
  for (let i = 0; i < labels.length; i++) labels[i] = (i * 37) % 257;
  labels[3] = 257;
}

Deno.test({
  name: "every heap task gives the same bits on two threads as on one",
  ignore: NO_BLAS !== null,
  fn: async () => {
    const memory = new WebAssembly.Memory({ initial: (16 * N * 4) / 65536 + 1 });
    const threads = await HeapThreads.start(memory, 2);
    // The calling thread's SIMD passes run in place on this memory, the worker's on staged copies: the comparison
    // covers in place against staged too.
    setHeapMemory(memory);
    try {
      const heap = new Float32Array(memory.buffer);
      const rng = new Rng(5);
      const input = Float32Array.from({ length: 16 * N }, () => rng.normal());
      const results = new Float64Array(64);
      for (const task of HEAP_TASK_NAMES) {
        heap.set(input);
        prepare(task, heap);
        HEAP_TASKS[task](heap, Float64Array.from(argsFor(task)), 0, 1, results);
        const serial = heap.slice(0, 16 * N);
        heap.set(input);
        prepare(task, heap);
        threads.run(heap, task, argsFor(task));
        let differ = 0, first = -1;
        for (let i = 0; i < serial.length; i++) {
          if (!Object.is(serial[i], heap[i])) (differ++, first < 0 && (first = i));
        }
        assert.equal(differ, 0, `${task}: ${differ} floats differ (first at ${first})`);
        if (task === "clipSumSquares") {
          // Its output is the chunks' sums in the result slots: the same chunks, the same sums, in order.
          const chunks = clipChunks([N - 3, 40001]).length;
          const serialSums = results.slice(0, chunks);
          const parts = threads.partResults();
          const threaded = parts.flatMap((slots, p) => {
            const [lo, hi] = partRange(chunks, p, parts.length);
            return Array.from(slots.subarray(0, hi - lo));
          });
          assert.deepEqual(threaded, Array.from(serialSums), "clipSumSquares: chunk sums differ");
          assert.ok(serialSums.every((v) => v > 0), "clipSumSquares summed nothing");
          continue;
        }
        let touched = 0;
        heap.set(input);
        prepare(task, heap);
        const prepared = heap.slice(0, 16 * N);
        for (let i = 0; i < serial.length; i++) if (!Object.is(serial[i], prepared[i])) touched++;
        assert.ok(touched > 0, `${task} wrote nothing: the comparison would be empty`);
      }
    } finally {
      setHeapMemory(null);
      threads.close();
    }
  },
});

if (NO_BLAS) Deno.test({ name: `heap tasks on two threads (skipped: ${NO_BLAS})`, ignore: true, fn() {} });

Deno.test("wasm: fused kernels, their row sums and the matmuls give the same bits with heap threads as without", async () => {
  await initBackend("wasm");
  const memory = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
  const rng = new Rng(11);
  const random = (shape: number[]) =>
    tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
  const [g, u] = [random([256, 160]), random([256, 160])];
  const [q, k, v] = [random([4, 4, 64, 32]), random([4, 4, 64, 32]), random([4, 4, 64, 32])];
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
      const products = [tf.matMul(a, b), tf.matMul(b, a, true, true), tf.matMul(c, d), tf.matMul(d, e, true, false)];
      // The coefficient and weight gradients sum over rows in blocks fixed by the shape: the same bits too.
      const outputs = [...swiglu, ...attn, rope, ...products, norm[0], pn[0], pr[0], pn[1], pr[1], norm[1]];
      return outputs.map((t) => t.dataSync().slice());
    });
  await startHeapThreads(memory, 1);
  const one = run();
  await startHeapThreads(memory, 2);
  if (heapThreadCount(memory) < 2) return; // no FFI permission: nothing to compare (warned)
  const two = run();
  // Counted, not deepEqual'd: a diff of arrays this long would take gigabytes to print.
  one.forEach((want, i) => {
    const differ = want.filter((v, j) => !Object.is(v, two[i][j])).length;
    assert.equal(differ, 0, `output ${i}: ${differ} of ${want.length} floats differ`);
  });
});
