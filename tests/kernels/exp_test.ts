import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { installFastKernels } from "../../src/kernels/mod.ts";

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
