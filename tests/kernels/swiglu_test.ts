import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { FUSED_SWIGLU, FUSED_SWIGLU_GRAD, fusedSwiGLU, hasFusedSwiGLU } from "../../src/kernels/swiglu/mod.ts";
import { Rng } from "../../src/util/rng.ts";

const rng = new Rng(29);
const random = (shape: number[], spread = 3): tf.Tensor =>
  tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => spread * rng.normal()), shape);

/** float64 value and gradients of Σ w·silu(g)·u. */
function reference(g: Float32Array, u: Float32Array, w: Float32Array) {
  const y = new Float64Array(g.length), dg = new Float64Array(g.length), du = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const s = 1 / (1 + Math.exp(-g[i]));
    y[i] = g[i] * s * u[i];
    du[i] = w[i] * g[i] * s;
    dg[i] = w[i] * u[i] * s * (1 + g[i] * (1 - s));
  }
  return { y, dg, du };
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`${backend}: fused SwiGLU equals float64 and the unfused ops, values and gradients`, async () => {
    await initBackend(backend);
    assert.ok(hasFusedSwiGLU());
    for (const shape of [[7], [1025], [3, 5], [33, 17], [2, 64, 40]]) {
      const [g, u, w] = [random(shape), random(shape), random(shape, 1)];
      const run = (fused: boolean) =>
        tf.tidy(() => {
          const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fusedSwiGLU(a, b, { fused }), w));
          const { value, grads } = tf.valueAndGrads(f)([g, u]);
          return [fusedSwiGLU(g, u, { fused }), value, ...grads];
        });
      const fused = run(true), plain = run(false);
      const want = reference(
        await g.data() as Float32Array,
        await u.data() as Float32Array,
        await w.data() as Float32Array,
      );
      assertClose(await fused[0].data(), want.y, 1e-6, `[${shape}] y`);
      assertClose(await fused[2].data(), want.dg, 1e-5, `[${shape}] dGate`);
      assertClose(await fused[3].data(), want.du, 1e-6, `[${shape}] dUp`);
      const names = ["y", "loss", "dGate", "dUp"];
      for (let i = 0; i < fused.length; i++) {
        assertClose(await fused[i].data(), await plain[i].data(), 1e-5, `[${shape}] ${names[i]} vs unfused`);
      }
      tf.dispose([...fused, ...plain, g, u, w]);
    }
  });

  Deno.test(`${backend}: SwiGLU is one kernel call forward and one backward`, async () => {
    await initBackend(backend);
    const [g, u] = [random([4, 6]), random([4, 6])];
    const info = await tf.profile(() => {
      tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(fusedSwiGLU(a, b)))([g, u]));
    });
    const names = info.kernels.map((k) => k.name);
    assert.equal(names.filter((n) => n === FUSED_SWIGLU).length, 1, names.join(","));
    assert.equal(names.filter((n) => n === FUSED_SWIGLU_GRAD).length, 1, names.join(","));
    // The one Multiply is tf.sum's own gradient (ones times dy).
    assert.equal(names.filter((n) => n === "Multiply").length, 1, names.join(","));
    assert.ok(!names.includes("Sigmoid") && !names.includes("Sub"), names.join(","));
    tf.dispose([g, u]);
  });
}

Deno.test("fused SwiGLU rejects gate and up of different shapes at the kernel", async () => {
  await initBackend("cpu");
  const [g, u] = [random([2, 3]), random([3, 2])];
  assert.throws(() => tf.engine().runKernel(FUSED_SWIGLU, { gate: g, up: u }, {}), /one shape/);
  tf.dispose([g, u]);
});
