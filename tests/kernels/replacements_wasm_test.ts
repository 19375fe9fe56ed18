import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { installFastKernels, uninstallFastKernels } from "../../src/kernels/mod.ts";

await initBackend("wasm");

/** Runs `f` with tfjs's own kernels and with the fast ones; both results as nested arrays. */
async function both<T>(f: () => tf.Tensor | tf.Tensor[]): Promise<[T, T]> {
  const read = async (r: tf.Tensor | tf.Tensor[]) => {
    const list = Array.isArray(r) ? r : [r];
    const arrays = await Promise.all(list.map((t) => t.array()));
    const shapes = list.map((t) => t.shape);
    tf.dispose(list);
    return [arrays, shapes] as T;
  };
  uninstallFastKernels();
  const want = await read(f());
  installFastKernels();
  const got = await read(f());
  return [got, want];
}

Deno.test("wasm concat and split equal tfjs's own on every axis, dtype and ragged size", async () => {
  const x = tf.range(0, 2 * 3 * 5 * 4).reshape([2, 3, 5, 4]);
  const y = tf.range(100, 100 + 2 * 3 * 2 * 4).reshape([2, 3, 2, 4]);
  const xi = tf.cast(x, "int32"), b = tf.greater(x, 50);
  for (const axis of [0, 1, 2, 3, -1]) {
    const [got, want] = await both(() => tf.concat([x, x.add(1000), x.mul(-1)], axis));
    assert.deepEqual(got, want, `concat axis ${axis}`);
    const [gs, ws] = await both(() => tf.split(x, [1, x.shape.at(axis)! - 1], axis));
    assert.deepEqual(gs, ws, `split axis ${axis}`);
  }
  assert.deepEqual(...await both(() => tf.concat([x, y], 2)));
  assert.deepEqual(...await both(() => tf.concat([xi, xi], 3)));
  assert.deepEqual(...await both(() => tf.concat([b, b, b], 1)));
  assert.deepEqual(...await both(() => tf.split(b, 2, 0)));
  assert.deepEqual(...await both(() => tf.split(x, 2, -1)), "RoPE's halves");
  assert.deepEqual(...await both(() => tf.concat([x, tf.zeros([2, 3, 0, 4])], 2)), "an empty input");
  tf.dispose([x, y, xi, b]);
});

Deno.test("wasm identity and same-type cast share the buffer safely", async () => {
  installFastKernels();
  const before = tf.memory().numTensors;
  const x = tf.tensor1d([1, 2, 3]);
  const c = tf.clone(x);
  const same = tf.cast(x, "float32");
  const other = tf.cast(x, "int32");
  x.dispose();
  // The shared buffer outlives the original tensor.
  assert.deepEqual(Array.from(await c.data()), [1, 2, 3]);
  assert.deepEqual(Array.from(await same.data()), [1, 2, 3]);
  assert.equal(other.dtype, "int32");
  const v = tf.variable(c);
  const next = tf.tensor1d([7, 8, 9]);
  v.assign(next);
  assert.deepEqual(Array.from(await c.data()), [1, 2, 3], "assigning a variable must not change its source");
  tf.dispose([c, same, other, v, next]);
  assert.equal(tf.memory().numTensors, before);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.concat([t, tf.mul(t, 2)], 0)))(tf.tensor1d([1, 2]));
  assert.deepEqual(Array.from(await g.data()), [3, 3]);
});

Deno.test("wasm row gather equals tfjs's own and rejects bad indices", async () => {
  const table = tf.randomNormal([37, 5]);
  const tableI = tf.cast(tf.mul(table, 100), "int32");
  const idx = tf.tensor2d([[3, 0, 36], [3, 3, 1]], [2, 3], "int32");
  assert.deepEqual(...await both(() => tf.gather(table, idx)));
  assert.deepEqual(...await both(() => tf.gather(tableI, idx)));
  assert.deepEqual(...await both(() => tf.gather(table, tf.tensor1d([], "int32"))));
  // Other axes still work (through tfjs's kernel).
  assert.deepEqual(...await both(() => tf.gather(table, tf.tensor1d([4, 0], "int32"), 1)));
  installFastKernels();
  const [values, picked] = [await table.array(), await tf.gather(table, idx).array()];
  assert.deepEqual((picked as number[][][])[0][2], (values as number[][])[36]);
  assert.throws(() => tf.gather(table, tf.tensor1d([37], "int32")), /not in \[0, 36\]/);
  tf.dispose([table, tableI, idx]);
});

Deno.test("wasm sums over leading axes equal tfjs's own and a float64 reference", async () => {
  const x = tf.randomNormal([6, 5, 7]);
  for (const axis of [0, [0, 1], [1, 0], -3]) {
    for (const keepDims of [false, true]) {
      const [got, want] = await both<[number[][], number[][]]>(() => tf.sum(x, axis, keepDims));
      assert.deepEqual(got[1], want[1], `shape for axis ${axis}`);
      const g = (got[0] as unknown as number[]).flat(3) as number[],
        w = (want[0] as unknown as number[]).flat(3) as number[];
      for (let i = 0; i < w.length; i++) assert.ok(Math.abs(g[i] - w[i]) < 1e-5, `axis ${axis} [${i}]`);
    }
  }
  installFastKernels();
  const data = await x.data();
  const col = await tf.sum(x, 0).data();
  for (let c = 0; c < 35; c++) {
    let s = 0;
    for (let r = 0; r < 6; r++) s += data[r * 35 + c];
    assert.ok(Math.abs(col[c] - s) < 1e-5);
  }
  // Other reductions still go through tfjs's kernel.
  assert.deepEqual(...await both(() => tf.sum(x, [1, 2])));
  assert.deepEqual(...await both(() => tf.sum(x)));
  x.dispose();
});

Deno.test("wasm transposes that keep the last axis equal tfjs's own; other permutations fall back", async () => {
  const x = tf.range(0, 2 * 3 * 5 * 4).reshape([2, 3, 5, 4]);
  const xi = tf.cast(x, "int32"), b = tf.greater(x, 50);
  for (const perm of [[0, 2, 1, 3], [2, 1, 0, 3], [1, 2, 0, 3], [0, 1, 2, 3], [3, 2, 1, 0], [0, 1, 3, 2]]) {
    assert.deepEqual(...await both(() => tf.transpose(x, perm)), `perm [${perm}]`);
  }
  assert.deepEqual(...await both(() => tf.transpose(tf.reshape(x, [6, 5, 4]), [1, 0, 2])), "rank 3");
  assert.deepEqual(...await both(() => tf.transpose(xi, [0, 2, 1, 3])), "int32");
  assert.deepEqual(...await both(() => tf.transpose(b, [1, 0, 2, 3])), "bool");
  assert.deepEqual(...await both(() => tf.transpose(tf.zeros([2, 0, 3, 4]), [0, 2, 1, 3])), "empty");
  assert.deepEqual(...await both(() => tf.transpose(tf.reshape(x, [1, 2, 3, 1, 5, 4]), [4, 2, 0, 3, 1, 5])), "rank 6");
  tf.dispose([x, xi, b]);
});
