import assert from "node:assert/strict";
import { buildModule, FuncBuilder, I32 } from "../../src/kernels/_wasm/asm.ts";
import { accumulate4, assign, f32, get, load4, quads, store4, storeF32, v4 } from "../../src/kernels/_wasm/expr.ts";
import { setHeapMemory, SimdModule, stagedRows } from "../../src/kernels/_wasm/staged.ts";

/** y = x · w + row index (from the caller), and each row's Σ x in the block's scratch; quads unrolled `unroll` times. */
function testModule(unroll: number): SimdModule<{ run(x: number, w: number, y: number, s: number, n: number): void }> {
  return new SimdModule(() => {
    const f = new FuncBuilder([I32, I32, I32, I32, I32]);
    const [x, w, y, s, n] = [0, 1, 2, 3, 4];
    const acc = f.local(0x7b);
    assign(f, acc, v4.of(0));
    quads(f, get(n), [x, w, y], (k) => {
      accumulate4(f, acc, load4(get(x), k));
      store4(f, get(y), v4.mul(load4(get(x), k), load4(get(w), k)), k);
    }, unroll);
    storeF32(f, get(s), f32.sumLanes(get(acc)));
    return buildModule({ memory: { minPages: 1, shared: false }, funcs: [{ name: "run", func: f }] });
  });
}

Deno.test("stagedRows copies rows in and out block by block, with constants and zeroed scratch", () => {
  const rows = 37, n = 12;
  const heap = new Float32Array(4 * rows * n);
  for (let i = 0; i < heap.length; i++) heap[i] = Math.fround(Math.sin(i) * 3);
  const [x, w, y] = [0, rows * n, 2 * rows * n];
  const before = heap.slice();
  const module = testModule(4);
  const firsts: number[] = [];
  const sums = new Float64Array(rows);
  const ran = stagedRows(
    module,
    heap,
    { inputs: [x], outputs: [y], rowFloats: n, constants: [[w, n]], scratchFloats: 8, blockRows: 5 },
    3,
    rows,
    (e, b, count, first) => {
      firsts.push(first);
      for (let i = 0; i < 8; i++) assert.equal(b.floats[b.scratch / 4 + i], 0, "scratch zeroed per block");
      for (let r = 0; r < count; r++) {
        e.run(b.inputs[0] + r * n * 4, b.constants[0], b.outputs[0] + r * n * 4, b.scratch + 4 * (r % 8), n);
        sums[first + r] = b.floats[b.scratch / 4 + (r % 8)];
      }
    },
  );
  assert.ok(ran);
  assert.deepEqual(firsts, [3, 8, 13, 18, 23, 28, 33]);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      // Rows before the range are left as they were.
      const want = r < 3 ? before[y + r * n + j] : Math.fround(heap[x + r * n + j] * heap[w + j]);
      assert.equal(heap[y + r * n + j], want, `row ${r} col ${j}`);
      s += heap[x + r * n + j];
    }
    if (r >= 3) assert.ok(Math.abs(sums[r] - s) < 1e-5, `row ${r} sum`);
  }
});

Deno.test("quads visits the quads in order: the same sums for every unroll", () => {
  const n = 4 * 23;
  const results = [1, 2, 4].map((unroll) => {
    const staged = testModule(unroll).staging(4 * n + 4)!;
    const { floats } = staged;
    for (let i = 0; i < n; i++) floats[i] = Math.fround(1 / (i + 1)) * (i % 3 === 0 ? -1e3 : 1);
    floats.fill(1, n, 2 * n);
    staged.exports.run(0, 4 * n, 8 * n, 12 * n, n);
    return floats[3 * n];
  });
  assert.equal(results[1], results[0]);
  assert.equal(results[2], results[0]);
});

Deno.test("on the heap named by setHeapMemory, stagedRows runs in place with the same results", () => {
  const rows = 40, n = 8;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const heap = new Float32Array(memory.buffer, 0, 4 * rows * n);
  for (let i = 0; i < heap.length; i++) heap[i] = Math.fround(Math.cos(i) * 5);
  const [x, w, y] = [0, rows * n, 2 * rows * n];
  const module = testModule(2);
  const run = (inPlace: boolean) => {
    setHeapMemory(inPlace ? memory : null);
    const pointers: number[] = [];
    const arrays = { inputs: [x], outputs: [y], rowFloats: n, constants: [[w, n]] as const, blockRows: 16 };
    stagedRows(module, heap, arrays, 0, rows, (e, b, count) => {
      pointers.push(b.inputs[0]);
      for (let r = 0; r < count; r++) {
        e.run(b.inputs[0] + r * n * 4, b.constants[0], b.outputs[0] + r * n * 4, 4 * (3 * rows * n), n);
      }
    });
    return { y: heap.slice(y, y + rows * n), pointers };
  };
  try {
    const staged = run(false), direct = run(true);
    assert.deepEqual(direct.y, staged.y);
    assert.deepEqual(direct.pointers, [0, 16 * n * 4, 32 * n * 4], "in place: the blocks' own rows in the heap");
    assert.notDeepEqual(staged.pointers, direct.pointers);
  } finally {
    setHeapMemory(null);
  }
});
