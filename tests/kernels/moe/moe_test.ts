import assert from "node:assert/strict";
import { tf } from "../../../src/backend/mod.ts";
import {
  groupedMatMul,
  hasMoeKernels,
  MOE_BLOCK_ROWS,
  MOE_GROUPED_MATMUL,
  MOE_GROUPED_WEIGHT_GRAD,
  MOE_SELECT_ROWS,
  selectRows,
} from "../../../src/kernels/moe/mod.ts";
import { Rng } from "../../../src/util/rng.ts";
import { BACKENDS, backendTest, WEBGPU } from "../../_backend_harness.ts";
import { assertClose, countDispatches, valuesOn } from "../_webgpu.ts";

const B = MOE_BLOCK_ROWS;

/** Rows of three experts of 4: expert 2 (one block), expert 0 (two blocks), padding; 5 inner, 37 outer. */
const BLOCKS = [0, 0, 2, 4];
const [E, INNER, OUTER] = [4, 37, 5];

function randoms(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** The grouped product per block from stock matmuls, zero rows for padding. */
function stockGrouped(x: tf.Tensor2D, w: tf.Tensor3D, transposeW: boolean): tf.Tensor2D {
  const rows = BLOCKS.map((e, b) => {
    const xb = tf.slice(x, [b * B, 0], [B, x.shape[1]]);
    if (e >= E) return tf.zeros([B, transposeW ? w.shape[1] : w.shape[2]]);
    const we = tf.reshape(tf.slice(w, [e, 0, 0], [1, w.shape[1], w.shape[2]]), [w.shape[1], w.shape[2]]);
    return tf.matMul(xb, we as tf.Tensor2D, false, transposeW);
  });
  return tf.concat(rows, 0) as tf.Tensor2D;
}

/** y, dx and dw of Σ c·y for the grouped product (kernel or stock ops). */
function run(stock: boolean): tf.Tensor[] {
  const rng = new Rng(5);
  const x = tf.tensor2d(randoms(rng, BLOCKS.length * B * INNER), [BLOCKS.length * B, INNER]);
  const w = tf.tensor3d(randoms(rng, E * INNER * OUTER), [E, INNER, OUTER]);
  const c = tf.tensor2d(randoms(rng, BLOCKS.length * B * OUTER), [BLOCKS.length * B, OUTER]);
  const blockExpert = tf.tensor1d(BLOCKS, "int32");
  const f = (a: tf.Tensor, b: tf.Tensor) => {
    const y = stock
      ? stockGrouped(a as tf.Tensor2D, b as tf.Tensor3D, false)
      : groupedMatMul(a as tf.Tensor2D, b as tf.Tensor3D, blockExpert);
    return tf.sum(tf.mul(y, c));
  };
  const y = stock ? stockGrouped(x, w, false) : groupedMatMul(x, w, blockExpert);
  const [dx, dw] = tf.grads(f)([x, w]);
  // Expert 1 and 3 own no rows: their weight gradient is zero.
  return [y, dx, dw];
}

for (const backend of BACKENDS.filter((b) => b.name !== "wasm")) {
  backendTest("grouped product, its input and weight gradients equal per-block stock matmuls", backend, async () => {
    assert.ok(hasMoeKernels(), `${MOE_GROUPED_MATMUL} not registered on ${backend.name}`);
    const got = await valuesOn(backend.name, () => run(false));
    const want = await valuesOn("cpu", () => run(true));
    ["y", "dx", "dw"].forEach((name, i) => assertClose(got[i], want[i], 2e-6, name));
    const dw = got[2];
    for (const e of [1, 3]) {
      assert.ok(
        dw.subarray(e * INNER * OUTER, (e + 1) * INNER * OUTER).every((v) => v === 0),
        `dW of idle expert ${e}`,
      );
    }
  });

  backendTest("row selection: zero rows out of range, gradient by the inverse", backend, async () => {
    const [y, dx] = await valuesOn(backend.name, () => {
      const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
      const index = tf.tensor1d([2, -1, 0, 7], "int32");
      const inverse = tf.tensor1d([2, 9, 0], "int32");
      const w = tf.tensor2d([[1, 1], [10, 10], [100, 100], [1000, 1000]]);
      const f = (a: tf.Tensor) => tf.sum(tf.mul(selectRows(a as tf.Tensor2D, index, inverse), w));
      return [selectRows(x, index, inverse), tf.grad(f)(x)];
    });
    assert.deepEqual(Array.from(y), [5, 6, 0, 0, 1, 2, 0, 0]);
    assert.deepEqual(Array.from(dx), [100, 100, 0, 0, 1, 1]);
  });
}

backendTest("MoE kernels on webgpu: one dispatch each", WEBGPU, () => {
  const x = tf.ones([2 * B, 8]) as tf.Tensor2D;
  const w = tf.ones([2, 8, 4]) as tf.Tensor3D;
  const blockExpert = tf.tensor1d([1, 2], "int32");
  const counted = [
    countDispatches(() => groupedMatMul(x, w, blockExpert)),
    countDispatches(() => tf.engine().runKernel(MOE_GROUPED_WEIGHT_GRAD, { a: x, b: x, blockExpert }, { experts: 2 })),
    countDispatches(() => tf.engine().runKernel(MOE_SELECT_ROWS, { x, index: blockExpert, inverse: blockExpert }, {})),
  ];
  assert.deepEqual(counted.map((c) => c.dispatches), [1, 1, 1]);
  tf.dispose([x, w, blockExpert, ...counted.map((c) => c.result as tf.Tensor)]);
  return Promise.resolve();
});
