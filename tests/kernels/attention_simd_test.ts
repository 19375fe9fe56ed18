/**
 * The causal softmax SIMD module (src/kernels/attention/_simd_module.ts),
 * driven as the heap tasks drive it, against float64 row math from the
 * same float32 inputs: probabilities and score gradients within a few
 * float32 rounding units, exact +0 above the diagonal whatever the memory
 * holds there, and the same bits however the rows are cut into calls.
 */
import assert from "node:assert/strict";
import { ATTENTION_SIMD } from "../../src/kernels/attention/_simd_module.ts";
import { softmaxBackwardTask, softmaxCausalTask } from "../../src/kernels/attention/tasks.ts";
import { Rng } from "../../src/util/rng.ts";

const EPS32 = 2 ** -24;
const SCALE = 1 / Math.sqrt(32);

/** Random scores of `matrices` [seq, seq] matrices, with NaN and ±∞ above the diagonal (never read). */
function scores(rng: Rng, seq: number, matrices: number, spread: number): Float32Array {
  return Float32Array.from({ length: matrices * seq * seq }, (_, at) => {
    const i = Math.floor(at / seq) % seq, j = at % seq;
    return j > i ? [NaN, Infinity, -Infinity][at % 3] : rng.normal() * spread;
  });
}

/** Runs the module's `fwd` over all rows in calls of `step` rows (the row index carried across matrices). */
function forward(s: Float32Array, seq: number, step: number): Float32Array {
  const n = s.length;
  const staged = ATTENTION_SIMD.staging(2 * n)!;
  staged.floats.set(s, 0);
  staged.floats.fill(NaN, n, 2 * n);
  const rows = n / seq;
  for (let first = 0; first < rows; first += step) {
    const count = Math.min(step, rows - first);
    staged.exports.fwd(4 * first * seq, 4 * (n + first * seq), count, first % seq, seq, SCALE);
  }
  return staged.floats.slice(n, 2 * n);
}

/** Runs the module's `bwd` (ds from p and dp) in calls of `step` rows. */
function backward(p: Float32Array, dp: Float32Array, seq: number, step: number): Float32Array {
  const n = p.length;
  const staged = ATTENTION_SIMD.staging(3 * n)!;
  staged.floats.set(p, 0);
  staged.floats.set(dp, n);
  staged.floats.fill(NaN, 2 * n, 3 * n);
  const rows = n / seq;
  for (let first = 0; first < rows; first += step) {
    const count = Math.min(step, rows - first);
    const at = 4 * first * seq;
    staged.exports.bwd(at, 4 * n + at, 8 * n + at, count, first % seq, seq, SCALE);
  }
  return staged.floats.slice(2 * n, 3 * n);
}

function assertZerosAbove(got: Float32Array, seq: number, what: string): void {
  got.forEach((v, at) => {
    if (at % seq > Math.floor(at / seq) % seq) assert.ok(Object.is(v, 0), `${what}: ${v} at ${at}, above the diagonal`);
  });
}

Deno.test("attention SIMD module is compiled on this runtime", () => {
  assert.ok(ATTENTION_SIMD.available, "wasm SIMD missing: the wasm kernels would run the JavaScript loops");
});

Deno.test("SIMD causal softmax is within a few float32 roundings of float64, +0 above the diagonal", () => {
  const rng = new Rng(21);
  for (const [seq, spread] of [[4, 1], [8, 3], [64, 10], [128, 1], [128, 4]]) {
    const s = scores(rng, seq, 3, spread);
    const p = forward(s, seq, seq);
    assertZerosAbove(p, seq, `seq ${seq}`);
    let worst = 0;
    for (let row = 0; row < p.length / seq; row++) {
      const i = row % seq, base = row * seq;
      // The logits as the kernel forms them (one float32 product); the rest in float64.
      const x = Array.from({ length: i + 1 }, (_, j) => Math.fround(s[base + j] * Math.fround(SCALE)));
      const max = Math.max(...x);
      const e = x.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j <= i; j++) {
        const want = e[j] / sum, got = p[base + j];
        // Below float32's normal range exp flushes to 0.
        if (want < 1e-36) {
          assert.ok(got <= 1e-36 && got >= 0, `seq ${seq} row ${row} [${j}]: ${got} for ${want}`);
          continue;
        }
        // x − max rounds in float32 (|x − max| units), exp is within 3 ulp, the sum and 1/Σ a unit or two.
        const units = Math.abs(got - want) / (want * EPS32) - Math.abs(x[j] - max);
        worst = Math.max(worst, units);
        assert.ok(units <= 8, `seq ${seq} row ${row} [${j}]: ${got} vs ${want} (${units.toFixed(1)} units)`);
      }
    }
    assert.ok(worst > 0, "the comparison saw no rounding at all");
  }
});

Deno.test("SIMD softmax backward is within a few float32 roundings of float64, +0 above the diagonal", () => {
  const rng = new Rng(22);
  for (const seq of [4, 8, 64, 128]) {
    const p = forward(scores(rng, seq, 3, 2), seq, seq);
    // Garbage above the diagonal of p and dp: the kernel may read neither.
    const dp = scores(rng, seq, 3, 1);
    p.forEach((_, at) => at % seq > Math.floor(at / seq) % seq && (p[at] = NaN));
    const ds = backward(p, dp, seq, seq);
    assertZerosAbove(ds, seq, `seq ${seq}`);
    for (let row = 0; row < p.length / seq; row++) {
      const i = row % seq, base = row * seq;
      let dot = 0, size = 0;
      for (let j = 0; j <= i; j++) {
        dot += p[base + j] * dp[base + j];
        size += Math.abs(p[base + j] * dp[base + j]);
      }
      for (let j = 0; j <= i; j++) {
        const want = p[base + j] * (dp[base + j] - dot) * SCALE;
        // dp − dot and the dot's float32 sum, relative to the terms' size.
        const unit = SCALE * p[base + j] * (Math.abs(dp[base + j]) + size) * EPS32;
        const err = Math.abs(ds[base + j] - want);
        assert.ok(err <= 4 * unit, `seq ${seq} row ${row} [${j}]: ${ds[base + j]} vs ${want}`);
      }
    }
  }
});

Deno.test("SIMD softmax rows give the same bits however they are cut into calls", () => {
  const rng = new Rng(23);
  const seq = 64;
  const s = scores(rng, seq, 3, 3);
  const dp = scores(rng, seq, 3, 1);
  const whole = forward(s, seq, 3 * seq);
  const dsWhole = backward(whole, dp, seq, 3 * seq);
  for (const step of [1, 5, seq, 100]) {
    assert.deepEqual(forward(s, seq, step), whole, `fwd in calls of ${step} rows`);
    assert.deepEqual(backward(whole, dp, seq, step), dsWhole, `bwd in calls of ${step} rows`);
  }
});

Deno.test("softmax heap tasks take the SIMD rows for seq % 4 = 0 and the float64 loops otherwise", () => {
  const rng = new Rng(24);
  for (const seq of [12, 13]) {
    const s = scores(rng, seq, 4, 2);
    const heap = new Float32Array(3 * s.length);
    heap.set(s);
    softmaxCausalTask(heap, Float64Array.of(0, seq, 4, SCALE), 0, 1);
    const p = heap.slice(0, s.length);
    assertZerosAbove(p, seq, `task, seq ${seq}`);
    if (seq % 4 === 0) assert.deepEqual(p, forward(s, seq, seq), "the task runs the module");
    const dp = scores(rng, seq, 4, 1).map((v) => Number.isFinite(v) ? v : 0);
    heap.set(dp, s.length);
    softmaxBackwardTask(heap, Float64Array.of(0, s.length, seq, 4, SCALE), 0, 1);
    const ds = heap.slice(s.length, 2 * s.length);
    assertZerosAbove(ds, seq, `backward task, seq ${seq}`);
    if (seq % 4 === 0) assert.deepEqual(ds, backward(p, dp, seq, seq), "the backward task runs the module");
    // Either path: rows that sum to 1.
    for (let row = 0; row < s.length / seq; row++) {
      const sum = p.subarray(row * seq, (row + 1) * seq).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-6, `seq ${seq} row ${row}: Σp = ${sum}`);
    }
  }
});
