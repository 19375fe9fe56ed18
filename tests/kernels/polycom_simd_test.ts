/**
 * The generated PolyCom SIMD module (src/kernels/polycom/_simd_module.ts),
 * driven as the wasm kernels drive it, against the float64 JavaScript row
 * math of the cpu kernels (src/kernels/polycom/math.ts) on one heap of its
 * own: ordinary rows (the f32x4 output passes), rows of extreme magnitude
 * (the scaled f64 passes), a zero row, odd lengths 1..67 and orders 1..4.
 */
import assert from "node:assert/strict";
import {
  polyNormBackwardRows,
  polyNormForwardRows,
  polyReLUBackwardFlat,
  polyReLUForwardFlat,
} from "../../src/kernels/polycom/math.ts";
import {
  type PolycomSimd,
  simdPolyNormBackward,
  simdPolyNormForward,
  simdPolyReLUBackward,
  simdPolyReLUForward,
} from "../../src/kernels/polycom/tasks.ts";
import { type EmscriptenModuleLike, polycomSimdFor } from "../../src/kernels/polycom/kernel.ts";
import { POLYCOM_SIMD } from "../../src/kernels/polycom/_simd_module.ts";
import { Rng } from "../../src/util/rng.ts";
import { maxRowError } from "../_f64.ts";

const EPS = 1e-6;
const ROWS = 3;

/** A heap like tfjs-backend-wasm's: one memory and a bump allocator. */
function heap(): EmscriptenModuleLike & { memory: WebAssembly.Memory; alloc(values: Float32Array): number } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  let top = 1024;
  const _malloc = (bytes: number) => {
    const at = top;
    top += Math.ceil(bytes / 16) * 16;
    return at;
  };
  return {
    asm: { memory },
    memory,
    _malloc,
    alloc(values: Float32Array) {
      const at = _malloc(values.byteLength);
      new Float32Array(memory.buffer, at, values.length).set(values);
      return at;
    },
  };
}

const KINDS = {
  ordinary: (rng: Rng) => rng.normal(),
  huge: (rng: Rng) => rng.normal() * 1e30,
  tiny: (rng: Rng) => rng.normal() * 1e-30,
  mixed: (rng: Rng) => rng.normal() * 10 ** Math.max(-36, Math.min(36, Math.round(rng.normal() * 12))),
} as const;

function rows(rng: Rng, kind: keyof typeof KINDS, n: number): Float32Array {
  const x = Float32Array.from({ length: ROWS * n }, () => KINDS[kind](rng));
  x.fill(0, 0, n); // the first row is all zeros
  return x;
}

const abs = (v: Float32Array) => v.map(Math.abs);

/** |got_i − want_i| ≤ tol · scale_i, scale from the same sums over |dy| and |x|. */
function assertDa(got: Float64Array, want: Float64Array, scale: Float64Array, tol: number, what: string): void {
  want.forEach((w, i) => {
    const err = Math.abs(got[i] - w) / Math.max(scale[i], 1e-300);
    assert.ok(err <= tol, `${what}: da[${i}] = ${got[i]}, want ${w} (scaled error ${err.toExponential(2)})`);
  });
}

/**
 * Row-relative error of `got` against `want` at most `tol`; where want is not
 * finite (PolyReLU of |x| ~ 1e30 overflows float32 by definition) got must be
 * the same value.
 */
function assertRows(got: Float32Array, want: Float32Array, n: number, tol: number, what: string): void {
  const finite = (v: Float32Array) => v.map((w, j) => (Number.isFinite(want[j]) ? w : 0));
  want.forEach((w, j) => {
    if (!Number.isFinite(w)) assert.ok(Object.is(got[j], w), `${what}: [${j}] = ${got[j]}, want ${w}`);
  });
  const err = maxRowError(finite(got), finite(want), n);
  assert.ok(err <= tol, `${what}: row-relative error ${err.toExponential(2)} > ${tol}`);
}

function read(memory: WebAssembly.Memory, at: number, size: number): Float32Array {
  return new Float32Array(memory.buffer, at, size).slice();
}

Deno.test("the generated SIMD module validates and binds to a heap", () => {
  assert.ok(POLYCOM_SIMD.available);
  assert.notEqual(polycomSimdFor(heap()), null);
});

Deno.test("SIMD PolyNorm and PolyReLU match the float64 row math (orders 1..4, n = 1..67, extreme rows)", () => {
  const rng = new Rng(2411);
  const h = heap();
  const simd = polycomSimdFor(h) as PolycomSimd;
  const [xp, gp, op] = [0, 1, 2].map(() => h.alloc(new Float32Array(ROWS * 67)));
  const put = (at: number, v: Float32Array) => new Float32Array(h.memory.buffer, at, v.length).set(v);
  for (const kind of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
    for (let n = 1; n <= 67; n++) {
      for (let order = 1; order <= 4; order++) {
        const what = `${kind} n=${n} r=${order}`;
        const size = ROWS * n;
        const x = rows(rng, kind, n);
        const dy = Float32Array.from({ length: size }, () => rng.normal());
        const a = Float64Array.from({ length: order + 1 }, () => rng.normal() * 0.5);
        put(xp, x);
        put(gp, dy);

        const want = new Float32Array(size);
        polyNormForwardRows(x, a, EPS, n, want);
        simdPolyNormForward(simd, xp, op, size, n, a, EPS);
        assertRows(read(h.memory, op, size), want, n, 1e-6, `${what}: polyNorm forward`);

        const [dxWant, daWant, daScale] = [
          new Float32Array(size),
          new Float64Array(order + 1),
          new Float64Array(order + 1),
        ];
        polyNormBackwardRows(dy, x, a, EPS, n, dxWant, daWant);
        polyNormBackwardRows(abs(dy), abs(x), a.map(Math.abs), EPS, n, new Float32Array(size), daScale);
        const da = new Float64Array(order + 1);
        simdPolyNormBackward(simd, gp, xp, op, size, n, a, EPS, da);
        // At n = 1, N(x^i) = ±1 whatever x is: dx is a difference of equal terms, rounding noise in both.
        if (n > 1) assertRows(read(h.memory, op, size), dxWant, n, 1e-5, `${what}: polyNorm dx`);
        assertDa(da, daWant, daScale, 1e-9, `${what}: polyNorm`);

        polyReLUForwardFlat(x, a, want);
        simdPolyReLUForward(simd, xp, op, size, a);
        assertRows(read(h.memory, op, size), want, size, 1e-6, `${what}: polyReLU forward`);

        daWant.fill(0), daScale.fill(0), da.fill(0);
        polyReLUBackwardFlat(dy, x, a, dxWant, daWant);
        polyReLUBackwardFlat(abs(dy), abs(x), a.map(Math.abs), new Float32Array(size), daScale);
        simdPolyReLUBackward(simd, gp, xp, op, size, a, da);
        assertRows(read(h.memory, op, size), dxWant, size, 1e-6, `${what}: polyReLU dx`);
        assertDa(da, daWant, daScale, 1e-9, `${what}: polyReLU`);
      }
    }
  }
});
