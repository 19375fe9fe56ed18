import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { installFastKernels } from "../../src/kernels/mod.ts";
import { expOf, mathModuleBytes } from "../../src/kernels/_wasm/exp.ts";
import { buildModule, FuncBuilder, I32 } from "../../src/kernels/_wasm/asm.ts";
import { get, load4, quads, store4 } from "../../src/kernels/_wasm/expr.ts";
import { Rng } from "../../src/util/rng.ts";

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

Deno.test("expOf({ nonPositive }) gives exp_f32's bits on every input ≤ 0 and on NaN", () => {
  const n = 1 << 18;
  const memory = new WebAssembly.Memory({ initial: (3 * n * 4) / 65536 });
  const heap = new Float32Array(memory.buffer), bits = new Uint32Array(memory.buffer);
  const rng = new Rng(9);
  // Half random bit patterns (subnormals, NaN payloads, −∞ ...) made non-positive, half a sweep of [-100, 0].
  for (let i = 0; i < n / 2; i++) bits[i] = (Math.floor(rng.next() * 2 ** 32) | 0x80000000) >>> 0;
  for (let i = n / 2; i < n; i++) heap[i] = -100 * (i - n / 2) / (n / 2);
  heap.set([0, -0, -Infinity, NaN, -87.33654475, -87.34, -126 * Math.LN2, -1e-30], 0);
  const f = new FuncBuilder([I32, I32, I32]);
  const exp = expOf(f, { nonPositive: true });
  quads(f, get(2), [0, 1], (k) => store4(f, get(1), exp(load4(get(0), k)), k), 1);
  const instance = (bytes: Uint8Array<ArrayBuffer>) =>
    new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const short = instance(buildModule({ memory: { minPages: 0, shared: false }, funcs: [{ name: "exp", func: f }] }));
  const full = instance(mathModuleBytes());
  (full.exp_f32 as (s: number, d: number, n: number) => void)(0, 4 * n, n);
  const want = bits.slice(n, 2 * n);
  (short.exp as (s: number, d: number, n: number) => void)(0, 8 * n, n);
  const got = bits.slice(2 * n, 3 * n);
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) assert.fail(`exp(${heap[i]}): ${heap[2 * n + i]}, exp_f32 gives ${heap[n + i]}`);
  }
});
