/**
 * SwiGLU's SIMD passes (src/kernels/swiglu/_simd_module.ts) on heaps of
 * their own: the sigmoid against float64 over a dense sweep and at the
 * edges, and the heap tasks, which stage any element count, against the
 * JavaScript loops of the cpu kernels, with the same bits however the work
 * is split.
 */
import assert from "node:assert/strict";
import { SWIGLU_SIMD } from "../../src/kernels/swiglu/_simd_module.ts";
import { swigluBackwardInto, swigluForwardInto } from "../../src/kernels/swiglu/math.ts";
import { swigluBackwardTask, swigluForwardTask } from "../../src/kernels/swiglu/tasks.ts";
import { Rng } from "../../src/util/rng.ts";

/** The float32 nearest the float64 sigmoid. */
const sigmoid64 = (x: number) => Math.fround(1 / (1 + Math.exp(-x)));

const bitsOf = (x: number) => new Int32Array(Float32Array.of(x).buffer)[0];
/** Distance in float32 steps between two finite non-negative floats. */
const ulpsApart = (a: number, b: number) => Math.abs(bitsOf(a) - bitsOf(b));

/** Smallest normal float32: below it the kernel's σ is flushed (as XNNPACK's is). */
const MIN_NORMAL = 2 ** -126;
/** The bound the tests hold σ to, in float32 ulp of the correctly rounded value. */
const SIGMOID_ULP = 2;

/** σ of `xs` by the module's `sigmoid` export. */
function simdSigmoid(xs: ArrayLike<number>): Float32Array {
  const n = Math.ceil(xs.length / 4) * 4;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((8 * n) / 65536) + 1 });
  const heap = new Float32Array(memory.buffer);
  heap.set(xs);
  SWIGLU_SIMD.on(memory)!.sigmoid(0, 4 * n, n);
  return heap.slice(n, n + xs.length);
}

Deno.test("SIMD sigmoid is within 2 ulp of float64 over [-90, 90] and random floats", () => {
  assert.ok(SWIGLU_SIMD.available, "wasm SIMD");
  const rng = new Rng(17);
  const xs: number[] = [];
  for (let x = -90; x <= 90; x += 1.7e-4) xs.push(x);
  for (let i = 0; i < 200_000; i++) xs.push(rng.normal() * 10 ** (rng.next() * 3 - 2));
  const got = simdSigmoid(xs);
  let worst = 0, at = 0, checked = 0;
  xs.forEach((x, i) => {
    const want = sigmoid64(Math.fround(x));
    if (want < MIN_NORMAL) {
      return assert.ok(got[i] >= 0 && got[i] <= MIN_NORMAL, `σ(${x}) = ${got[i]}: the flushed tail is 0`);
    }
    checked++;
    const ulps = ulpsApart(got[i], want);
    if (ulps > worst) [worst, at] = [ulps, x];
  });
  assert.ok(checked > 1_000_000, "the sweep covers the normal range");
  assert.ok(worst <= SIGMOID_ULP, `σ(${at}) is ${worst} ulp from float64`);
});

Deno.test("SIMD sigmoid at the edges: exact 0, ½, 1, no NaN from large inputs, NaN stays NaN", () => {
  const cases: [number, number][] = [
    [0, 0.5],
    [-0, 0.5],
    [1e-8, 0.5],
    [-1e-8, 0.5],
    [100, 1],
    [-100, 0],
    [17, 1],
    [88.8, 1],
    [-88.8, 0],
    [1e30, 1],
    [-1e30, 0],
    [3.4e38, 1],
    [-3.4e38, 0],
    [Infinity, 1],
    [-Infinity, 0],
  ];
  const got = simdSigmoid([...cases.map(([x]) => x), NaN, -NaN]);
  cases.forEach(([x, want], i) => assert.ok(Object.is(got[i], want), `σ(${x}) = ${got[i]}, want ${want}`));
  assert.ok(Number.isNaN(got[cases.length]) && Number.isNaN(got[cases.length + 1]), "σ(NaN) is NaN");
  // Just inside the normal range the result is still σ, not flushed.
  const [edge] = simdSigmoid([-87.3]);
  assert.ok(ulpsApart(edge, sigmoid64(Math.fround(-87.3))) <= SIGMOID_ULP, `σ(-87.3) = ${edge}`);
});

/** A heap with `arrays` regions of `n` floats each, a guard float after each, and random contents. */
function regions(n: number, arrays: number, rng: Rng) {
  const stride = n + 8;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((arrays * stride * 4) / 65536) + 1 });
  const heap = new Float32Array(memory.buffer, 0, arrays * stride);
  for (let i = 0; i < heap.length; i++) heap[i] = 3 * rng.normal();
  const at = (i: number) => i * stride;
  const view = (h: Float32Array, i: number) => h.subarray(at(i), at(i) + n);
  return { heap, at, view };
}

/** The task run over `parts` parts, one after another on this thread. */
function split(task: typeof swigluForwardTask, heap: Float32Array, args: number[], parts: number): Float32Array {
  const copy = heap.slice();
  for (let part = 0; part < parts; part++) task(copy, Float64Array.from(args), part, parts);
  return copy;
}

function assertSameBits(a: Float32Array, b: Float32Array, what: string) {
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}: float ${i} differs`);
}

Deno.test("SwiGLU heap tasks work at any size (1, 7, 1025, 4099, 9000) and give the same bits for any split", () => {
  const rng = new Rng(41);
  for (const n of [1, 7, 1025, 4099, 9000]) {
    // Forward: g u s out
    const f = regions(n, 4, rng);
    const fwdArgs = [f.at(0), f.at(1), f.at(2), f.at(3), n];
    const fwd = split(swigluForwardTask, f.heap, fwdArgs, 1);
    assertSameBits(split(swigluForwardTask, f.heap, fwdArgs, 3), fwd, `forward n=${n}, 3 parts`);
    const [g, u, s, out] = [0, 1, 2, 3].map((i) => f.view(fwd, i));
    for (let i = 0; i < n; i++) {
      assert.ok(ulpsApart(s[i], sigmoid64(g[i])) <= SIGMOID_ULP, `n=${n}: σ(${g[i]}) = ${s[i]}`);
    }
    const want = new Float32Array(n);
    swigluForwardInto(g, u, s, want);
    assertSameBits(out, want, `n=${n}: out is (g·s)·u in float32`);
    // Only the n floats are written: the guard floats after s and out keep their values.
    for (const i of [2, 3]) assert.equal(fwd[f.at(i) + n], f.heap[f.at(i) + n], `n=${n}: guard after array ${i}`);

    // Backward: dy g u s dg du, with s a sigmoid of g
    const b = regions(n, 6, rng);
    b.view(b.heap, 3).set(s.map((_, i) => sigmoid64(b.view(b.heap, 1)[i])));
    const bwdArgs = [b.at(0), b.at(1), b.at(2), b.at(3), b.at(4), b.at(5), n];
    const bwd = split(swigluBackwardTask, b.heap, bwdArgs, 1);
    assertSameBits(split(swigluBackwardTask, b.heap, bwdArgs, 3), bwd, `backward n=${n}, 3 parts`);
    const [dy, gb, ub, sb, dg, du] = [0, 1, 2, 3, 4, 5].map((i) => b.view(bwd, i));
    const [wantDg, wantDu] = [new Float32Array(n), new Float32Array(n)];
    swigluBackwardInto(dy, gb, ub, sb, wantDg, wantDu);
    assertSameBits(du, wantDu, `n=${n}: du is dy·(g·s) in float32`);
    for (let i = 0; i < n; i++) {
      // float32 steps against the float64 expression: a few float32 roundings of the terms.
      const scale = Math.abs(dy[i] * ub[i] * sb[i]) * (1 + Math.abs(gb[i]));
      assert.ok(Math.abs(dg[i] - wantDg[i]) <= 4e-7 * scale, `n=${n}: dg[${i}] ${dg[i]} vs ${wantDg[i]}`);
    }
    for (const i of [4, 5]) assert.equal(bwd[b.at(i) + n], b.heap[b.at(i) + n], `n=${n}: guard after array ${i}`);
  }
});
