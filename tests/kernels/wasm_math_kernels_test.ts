import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { installFastKernels } from "../../src/kernels/mod.ts";
import { wasmSigmoid, wasmSoftmax } from "../../src/kernels/_wasm_math_kernels.ts";

await initBackend("wasm");

const ulpsApart = (a: number, b: number) => {
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const ia = new Int32Array(new Float32Array([a]).buffer)[0], ib = new Int32Array(new Float32Array([b]).buffer)[0];
  return Math.abs(ia - ib);
};

Deno.test("wasm SIMD exp is within 3 ulp of Math.exp, with exact 0, ∞ and NaN at the edges", async () => {
  installFastKernels();
  const xs: number[] = [];
  for (let v = -90; v <= 90; v += 0.0137) xs.push(v);
  xs.push(0, -0, 1e-8, -1e-8, 88.7, -87.3, -1e9, 1e9, Number.NaN, -Infinity, Infinity, 0.5, -0.5);
  const got = await tf.exp(tf.tensor1d(xs)).data();
  let worst = 0;
  xs.forEach((x, i) => {
    const want = Math.fround(Math.exp(Math.fround(x)));
    if (Number.isNaN(x)) return assert.ok(Number.isNaN(got[i]), "NaN stays NaN");
    if (want === 0 || want === Infinity) return assert.equal(got[i], want, `exp(${x})`);
    // Below 2^-126 the result is subnormal in float32; the kernel flushes those inputs to 0 at -87.3.
    if (want < 1.2e-38) return;
    worst = Math.max(worst, ulpsApart(got[i], want));
  });
  assert.ok(worst <= 3, `worst error ${worst} ulp`);
});

/** Runs `f` with `make`'s kernel in place of tfjs's `name` on wasm (these two are not installed by default). */
function withKernel<T>(name: string, make: (o: tf.KernelFunc) => tf.KernelFunc, f: () => T): T {
  const original = tf.getKernel(name, "wasm")!;
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({ ...original, kernelFunc: make(original.kernelFunc) });
  try {
    return f();
  } finally {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(original);
  }
}

Deno.test("wasm SIMD sigmoid and softmax equal tfjs's own", async () => {
  const x = tf.randomNormal([7, 4, 12], 0, 4);
  const masked = tf.add(x, tf.mul(tf.cast(tf.greater(tf.range(0, 12), 6), "float32"), -1e9));
  for (
    const [name, f] of [
      ["sigmoid", () => tf.sigmoid(x)],
      ["softmax", () => tf.softmax(x)],
      ["masked softmax", () => tf.softmax(masked)],
      ["odd-length softmax (tfjs's path)", () => tf.softmax(tf.slice(x, [0, 0, 0], [7, 4, 11]))],
      ["odd-length sigmoid", () => tf.sigmoid(tf.slice(x, [0, 0, 0], [7, 4, 11]))],
    ] as const
  ) {
    const want = await f().data();
    const got = await withKernel(
      name.includes("sigmoid") ? "Sigmoid" : "Softmax",
      name.includes("sigmoid") ? wasmSigmoid : wasmSoftmax,
      f,
    ).data();
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) {
      assert.ok(
        Math.abs(got[i] - want[i]) <= 2e-7 + 2e-6 * Math.abs(want[i]),
        `${name} [${i}]: ${got[i]} vs ${want[i]}`,
      );
    }
  }
  const g = withKernel(
    "Softmax",
    wasmSoftmax,
    () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), tf.range(0, 12))))(x),
  );
  assert.ok((await g.data()).every(Number.isFinite));
  tf.dispose([x, masked, g]);
});
