import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import { geluExact, relu2, silu, swiglu } from "../../src/activations/mod.ts";
import { Rng } from "../../src/util/rng.ts";
import { maxRowError } from "../_f64.ts";
import { BACKENDS, backendTest } from "../_backend_harness.ts";
import { gelu64, relu2_64, silu64 } from "./_f64.ts";

const TOL: Record<string, number> = { cpu: 2e-6, wasm: 2e-6, webgpu: 2e-5 };

/** Values and gradients of f at x (gradient of Σ w ⊙ f(x)). */
async function valueAndGrad(f: (x: tf.Tensor) => tf.Tensor, x: number[], w: number[]) {
  const xt = tf.tensor1d(x);
  const wt = tf.tensor1d(w);
  const [y, dx] = tf.tidy(() => [f(xt), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), wt)))(xt)]);
  const out = { y: await y.data(), dx: await dx.data() };
  tf.dispose([xt, wt, y, dx]);
  return out;
}

const CASES = [
  { name: "GELU (exact erf form)", f: geluExact, ref: gelu64 },
  { name: "SiLU", f: silu, ref: silu64 },
  { name: "ReLU²", f: relu2, ref: relu2_64 },
];

for (const backend of BACKENDS) {
  const tol = TOL[backend.name];
  for (const { name, f, ref } of CASES) {
    backendTest(`${name} and its gradient match float64 closed forms`, backend, async () => {
      const rng = new Rng(3);
      const x = [...Array.from({ length: 61 }, () => 3 * rng.normal()), -8, -1, -0.5, 0, 0.5, 1, 8];
      const w = x.map(() => rng.normal());
      const got = await valueAndGrad(f, x, w);
      const want = x.map(ref);
      // Scale per element: these are element-wise, so compare each with its own magnitude.
      x.forEach((_, i) => {
        const y = want[i].y;
        const dx = w[i] * want[i].dy;
        assert.ok(
          Math.abs(got.y[i] - y) <= tol * Math.max(1, Math.abs(y)),
          `${name} y(${x[i]}) = ${got.y[i]}, want ${y}`,
        );
        assert.ok(Math.abs(got.dx[i] - dx) <= 10 * tol * Math.max(1, Math.abs(dx)), `${name} dx at ${x[i]}`);
      });
    });
  }

  backendTest("SwiGLU silu(gate)·up and both gradients match float64 closed forms", backend, async () => {
    const rng = new Rng(4);
    const n = 50;
    const gate = Array.from({ length: n }, () => 3 * rng.normal());
    const up = Array.from({ length: n }, () => 2 * rng.normal());
    const w = Array.from({ length: n }, () => rng.normal());
    const [g, u, wt] = [tf.tensor1d(gate), tf.tensor1d(up), tf.tensor1d(w)];
    const [y, dg, du] = tf.tidy(() => {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(swiglu(a, b), wt)))([g, u]);
      return [swiglu(g, u), ...grads];
    });
    const s = gate.map(silu64);
    const want = {
      y: gate.map((_, i) => s[i].y * up[i]),
      dg: gate.map((_, i) => w[i] * up[i] * s[i].dy),
      du: gate.map((_, i) => w[i] * s[i].y),
    };
    assert.ok(maxRowError(await y.data(), want.y, 1) <= tol);
    assert.ok(maxRowError(await dg.data(), want.dg, 1) <= 10 * tol);
    assert.ok(maxRowError(await du.data(), want.du, 1) <= 10 * tol);
    tf.dispose([g, u, wt, y, dg, du]);
  });
}
