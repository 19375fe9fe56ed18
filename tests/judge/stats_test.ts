import assert from "node:assert/strict";
import { incompleteBeta, mean, sampleSd, studentTCdf, studentTQuantile, tInterval } from "../../src/judge/stats.ts";

Deno.test("t quantiles match printed tables", () => {
  // Two-sided 95% critical values (e.g. NIST/SEMATECH e-Handbook, table of t).
  const table: Array<[number, number]> = [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [9, 2.262], [
    29,
    2.045,
  ], [120, 1.980]];
  for (const [df, t] of table) {
    assert.ok(Math.abs(studentTQuantile(0.975, df) - t) < 5e-4, `df ${df}: ${studentTQuantile(0.975, df)}`);
  }
  assert.ok(Math.abs(studentTQuantile(0.025, 4) + 2.776) < 5e-4);
  assert.equal(studentTQuantile(0.5, 7), 0);
  assert.throws(() => studentTQuantile(1, 3), RangeError);
});

Deno.test("t CDF and incomplete beta: symmetric and known values", () => {
  assert.ok(Math.abs(studentTCdf(0, 5) - 0.5) < 1e-12);
  assert.ok(Math.abs(studentTCdf(1, 1) - 0.75) < 1e-9); // Cauchy: 1/2 + atan(1)/π
  assert.ok(Math.abs(studentTCdf(-2, 3) + studentTCdf(2, 3) - 1) < 1e-12);
  assert.ok(Math.abs(incompleteBeta(0.5, 3, 3) - 0.5) < 1e-12);
  assert.ok(Math.abs(incompleteBeta(0.3, 1, 1) - 0.3) < 1e-12); // uniform
  assert.ok(Math.abs(incompleteBeta(0.25, 2, 1) - 0.0625) < 1e-12); // x^2
});

Deno.test("mean, sd and the t-interval", () => {
  assert.equal(mean([1, 2, 3, 6]), 3);
  assert.ok(Number.isNaN(mean([])));
  assert.ok(Math.abs(sampleSd([2, 4, 4, 4, 5, 5, 7, 9]) - 2.1380899) < 1e-6);
  const iv = tInterval([1, 2, 3]);
  const half = 4.302652729749 * 1 / Math.sqrt(3);
  assert.ok(Math.abs(iv.lo - (2 - half)) < 1e-9 && Math.abs(iv.hi - (2 + half)) < 1e-9);
  const one = tInterval([5]);
  assert.equal(one.n, 1);
  assert.ok(Number.isNaN(one.lo) && Number.isNaN(one.hi));
});
