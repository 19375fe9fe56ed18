import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { installedFastKernels, installFastKernels, uninstallFastKernels } from "../../src/kernels/mod.ts";

await initBackend("cpu");

/** Runs `f` with tfjs's kernels and with the fast ones and compares the values. */
async function sameAsTfjs(name: string, f: () => tf.Tensor | tf.Tensor[], tol = 0): Promise<void> {
  uninstallFastKernels();
  const wantT = [f()].flat();
  const want = await Promise.all(wantT.map((t) => t.data()));
  installFastKernels({ threads: 1 });
  const gotT = [f()].flat();
  const got = await Promise.all(gotT.map((t) => t.data()));
  assert.equal(gotT.length, wantT.length, name);
  gotT.forEach((t, k) => {
    assert.deepEqual(t.shape, wantT[k].shape, `${name}: shape of output ${k}`);
    assert.equal(t.dtype, wantT[k].dtype, `${name}: dtype of output ${k}`);
    for (let i = 0; i < want[k].length; i++) {
      const w = want[k][i] as number, g = got[k][i] as number;
      if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `${name}[${k}][${i}]: ${g} vs NaN`);
      else assert.ok(Math.abs(g - w) <= tol * (1 + Math.abs(w)), `${name}[${k}][${i}]: ${g} vs ${w}`);
    }
  });
  tf.dispose([...wantT, ...gotT]);
}

Deno.test("cpu Add, Sub, Multiply and RealDiv equal tfjs's own for every broadcast pattern", async () => {
  installFastKernels({ threads: 1 });
  assert.ok(installedFastKernels().some((k) => k.kernelName === "Multiply" && k.backendName === "cpu"));
  const shapes: [number[], number[]][] = [
    [[3, 5], [3, 5]],
    [[3, 5], [5]],
    [[3, 5], [3, 1]],
    [[3, 1], [3, 5]],
    [[2, 3, 4, 5], [1, 3, 1, 5]],
    [[2, 1, 4], [3, 1]],
    [[4], []],
    [[], [4]],
    [[], []],
    [[0, 3], [3]],
    [[1, 1], [1]],
  ];
  for (const [sa, sb] of shapes) {
    const a = tf.randomNormal(sa, 0, 1, "float32", 1), b = tf.randomNormal(sb, 0, 1, "float32", 2);
    for (const [op, f] of [["add", tf.add], ["sub", tf.sub], ["mul", tf.mul], ["div", tf.div]] as const) {
      await sameAsTfjs(`${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, () => f(a, b));
    }
    tf.dispose([a, b]);
  }
  // int32 and mixed dtypes keep tfjs's kernels (and their type rules).
  await sameAsTfjs("int32 add", () => tf.add(tf.tensor1d([1, 2, 3], "int32"), tf.scalar(4, "int32")));
  await sameAsTfjs("int32 div", () => tf.div(tf.tensor1d([7, 8, 9], "int32"), tf.scalar(2, "int32")));
  await sameAsTfjs("nan", () => tf.mul(tf.tensor1d([NaN, Infinity, 0]), tf.tensor1d([1, 0, -1])));
});

Deno.test("cpu SplitV, Transpose and Softmax equal tfjs's own", async () => {
  const x = tf.randomNormal([3, 4, 6, 5], 0, 3, "float32", 3);
  for (const axis of [0, 1, 2, 3, -1]) {
    await sameAsTfjs(`split even ${axis}`, () => tf.split(x, x.shape.at(axis)! > 3 ? 1 : 3, axis));
  }
  await sameAsTfjs("split sizes", () => tf.split(x, [2, -1, 1], 2));
  await sameAsTfjs("split int32", () => tf.split(tf.tensor1d([1, 2, 3, 4], "int32"), 2));
  for (const perm of [[0, 2, 1, 3], [3, 2, 1, 0], [1, 0, 2, 3], [0, 1, 2, 3], [2, 3, 0, 1]]) {
    await sameAsTfjs(`transpose ${perm}`, () => tf.transpose(x, perm));
  }
  const m = tf.randomNormal([7, 3]);
  await sameAsTfjs("transpose 2d", () => tf.transpose(m));
  await sameAsTfjs("softmax", () => tf.softmax(x), 1e-6);
  const masked = tf.add(x, tf.mul(tf.cast(tf.greater(tf.range(0, 5), 2), "float32"), -1e9));
  await sameAsTfjs("masked softmax", () => tf.softmax(masked), 1e-6);
  await sameAsTfjs("softmax 1d", () => tf.softmax(tf.tensor1d([1, 2, 3, 1000])), 1e-6);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), tf.range(0, 5))))(x);
  assert.ok((await g.data()).every(Number.isFinite));
  tf.dispose([x, m, masked, g]);
});
