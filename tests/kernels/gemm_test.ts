import assert from "node:assert/strict";
import { DEFAULT_GEMM_SHAPE, supportsRelaxedSimd, WasmGemm } from "../../src/kernels/mod.ts";
import { planBatchMatMul } from "../../src/kernels/mod.ts";
import { Rng } from "../../src/util/rng.ts";

/** float64 reference of A·B with A, B given by element accessors. */
function reference(
  m: number,
  k: number,
  n: number,
  a: (i: number, p: number) => number,
  b: (p: number, j: number) => number,
) {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a(i, p) * b(p, j);
      c[i * n + j] = s;
    }
  }
  return c;
}

const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [4, 8, 8], [13, 9, 19], [33, 70, 17], [64, 128, 40]];

for (const tile of [DEFAULT_GEMM_SHAPE, { mr: 3, nr: 12, unroll: 3, relaxed: false }]) {
  Deno.test(`WasmGemm ${tile.mr}x${tile.nr} matches a float64 reference for every transpose combination`, () => {
    const memory = new WebAssembly.Memory({ initial: 64 });
    const gemm = new WasmGemm(memory, tile);
    const rng = new Rng(7);
    for (const [m, k, n] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const f = new Float32Array(memory.buffer);
          const aOff = 0, bOff = m * k, cOff = bOff + k * n + 3; // odd offset: C need not be 16-byte aligned
          for (let i = 0; i < m * k + k * n; i++) f[i] = rng.normal();
          f.fill(Number.NaN, cOff, cOff + m * n + 8); // stale output must be overwritten, never read
          const A = (i: number, p: number) => ta ? f[aOff + p * m + i] : f[aOff + i * k + p];
          const B = (p: number, j: number) => tb ? f[bOff + j * k + p] : f[bOff + p * n + j];
          const scratch = (cOff + m * n + 64) * 4;
          gemm.matmul(
            { ptr: aOff * 4, rowStride: ta ? 1 : k, colStride: ta ? m : 1 },
            { ptr: bOff * 4, rowStride: tb ? 1 : n, colStride: tb ? k : 1 },
            cOff * 4,
            m,
            k,
            n,
            scratch,
          );
          const want = reference(m, k, n, A, B);
          for (let i = 0; i < m * n; i++) {
            assert.ok(
              Math.abs(f[cOff + i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i])) * Math.sqrt(k),
              `${m}x${k}x${n} ta=${ta} tb=${tb} element ${i}: ${f[cOff + i]} vs ${want[i]}`,
            );
          }
          assert.ok(Number.isNaN(f[cOff + m * n]), "wrote past the end of C");
        }
      }
    }
  });
}

Deno.test("WasmGemm accumulates into C when asked", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const gemm = new WasmGemm(memory);
  const f = new Float32Array(memory.buffer);
  const [m, k, n] = [5, 3, 9];
  for (let i = 0; i < m * k + k * n; i++) f[i] = (i % 7) - 3;
  const cOff = m * k + k * n;
  f.fill(1, cOff, cOff + m * n);
  const a = { ptr: 0, rowStride: k, colStride: 1 }, b = { ptr: m * k * 4, rowStride: n, colStride: 1 };
  const scratch = (cOff + m * n) * 4 + 64;
  gemm.packA(a, m, k, scratch);
  gemm.packB(b, m, k, n, scratch);
  gemm.multiplyPacked(cOff * 4, m, k, n, scratch, true);
  const want = reference(m, k, n, (i, p) => f[i * k + p], (p, j) => f[m * k + p * n + j]);
  for (let i = 0; i < m * n; i++) assert.equal(f[cOff + i], want[i] + 1);
});

Deno.test("relaxed SIMD detection gives a boolean and the default tile uses it where supported", () => {
  const gemm = new WasmGemm(new WebAssembly.Memory({ initial: 1 }));
  assert.equal(gemm.shape.relaxed, supportsRelaxedSimd());
});

Deno.test("planBatchMatMul: output shapes, folding and broadcasting", () => {
  const folded = planBatchMatMul([2, 3, 4], [4, 5], false, false);
  assert.deepEqual(folded.outShape, [2, 3, 5]);
  assert.equal(folded.foldedM, 6);
  assert.deepEqual(folded.pairs, [[0, 0]]);

  const transposedA = planBatchMatMul([2, 4, 3], [4, 5], true, false);
  assert.deepEqual(transposedA.outShape, [2, 3, 5]);
  assert.deepEqual(transposedA.pairs, [[0, 0], [1, 0]]);

  const broadcast = planBatchMatMul([2, 1, 3, 4], [3, 4, 5], false, false);
  assert.deepEqual(broadcast.outShape, [2, 3, 3, 5]);
  assert.deepEqual(broadcast.pairs, [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);

  assert.deepEqual(planBatchMatMul([6, 4], [2, 5, 4], false, true).outShape, [2, 6, 5]);
  assert.throws(() => planBatchMatMul([3, 4], [5, 6], false, false), /inner dimensions/);
  assert.throws(() => planBatchMatMul([2, 3, 4], [3, 4, 5], false, false), /broadcast/);
  assert.throws(() => planBatchMatMul([4], [4, 5], false, false), /rank/);
});
