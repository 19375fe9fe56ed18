import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import { installedFastKernels } from "../../src/kernels/install.ts";
import { tiledMatMulShape } from "../../src/kernels/matmul/webgpu.ts";
import { Rng } from "../../src/util/rng.ts";
import { backendTest, WEBGPU } from "../_backend_harness.ts";
import { assertClose, countDispatches } from "./_webgpu.ts";

/** [a shape, b shape, transposeA, transposeB]: edges off the tile, vec4 and scalar outputs, batches, broadcasts. */
const CASES: [number[], number[], boolean, boolean][] = [
  [[70, 33], [33, 65], false, false],
  [[33, 70], [33, 64], true, false],
  [[70, 33], [65, 33], false, true],
  [[33, 70], [64, 33], true, true],
  [[3, 17, 9], [3, 9, 12], false, false],
  [[3, 9, 17], [3, 12, 9], true, true],
  [[2, 5, 8], [8, 7], false, false],
  [[8, 5], [2, 7, 5], false, true],
  [[1, 1], [1, 1], false, false],
];

/** The float64 product of row-major data. */
function reference(
  [ad, as]: [Float32Array, number[]],
  [bd, bs]: [Float32Array, number[]],
  ta: boolean,
  tb: boolean,
  out: number[],
): Float32Array {
  const [m, n] = out.slice(-2);
  const k = ta ? as.at(-2)! : as.at(-1)!;
  const batch = out.slice(0, -2).reduce((x, y) => x * y, 1);
  const sa = as.length > 2 && as[0] > 1 ? m * k : 0;
  const sb = bs.length > 2 && bs[0] > 1 ? n * k : 0;
  const r = new Float32Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          s += ad[z * sa + (ta ? q * m + i : i * k + q)] * bd[z * sb + (tb ? j * k + q : q * n + j)];
        }
        r[(z * m + i) * n + j] = s;
      }
    }
  }
  return r;
}

backendTest("tiled matmul matches a float64 product, for every transpose and batch layout", WEBGPU, async () => {
  assert.ok(installedFastKernels().some((k) => k.kernelName === "BatchMatMul" && k.backendName === "webgpu"));
  const rng = new Rng(3);
  for (const [as, bs, ta, tb] of CASES) {
    const data = (s: number[]) => Float32Array.from({ length: s.reduce((x, y) => x * y, 1) }, () => rng.normal());
    const [ad, bd] = [data(as), data(bs)];
    const { result: c, dispatches } = countDispatches(() => tf.matMul(tf.tensor(ad, as), tf.tensor(bd, bs), ta, tb));
    assert.equal(dispatches, 1, `[${as}]·[${bs}]`);
    const got = await c.data() as Float32Array;
    const want = reference([ad, as], [bd, bs], ta, tb, c.shape);
    assertClose(got, want, 1e-5, `[${as}]${ta ? "ᵀ" : ""}·[${bs}]${tb ? "ᵀ" : ""}`);
    c.dispose();
  }
});

Deno.test("tiled matmul shape: one tall product when B is shared, tfjs's kernel for irregular broadcasts", () => {
  assert.deepEqual(tiledMatMulShape([2, 8, 4], [4, 5], false, false), {
    batch: 1,
    m: 16,
    n: 5,
    k: 4,
    transposeA: false,
    transposeB: false,
    batchedA: false,
    batchedB: false,
  });
  assert.equal(tiledMatMulShape([2, 1, 3, 4], [1, 2, 4, 5], false, false), null);
  assert.equal(tiledMatMulShape([0, 4], [4, 5], false, false), null);
});
