import assert from "node:assert/strict";
import { Calibration, CALIBRATION_LIMITS } from "../../src/runner/calibration.ts";

Deno.test("calibration: total wall over total estimate per suite, the others' mean for a suite without runs", () => {
  const c = new Calibration();
  assert.equal(c.factor("dense"), 1);
  assert.equal(c.describe(), "");
  c.observe("dense", [{ estimated: 180, wall: 200 }, { estimated: 180, wall: 214 }]);
  assert.equal(c.factor("dense"), 414 / 360);
  assert.equal(c.factor("moe"), 414 / 360);
  c.observe("moe", [{ estimated: 100, wall: 90 }]);
  assert.equal(c.factor("moe"), 0.9);
  assert.equal(c.factor("other"), (414 / 360 + 0.9) / 2);
  assert.equal(c.describe(), "dense ×1.15, moe ×0.90");
});

Deno.test("calibration: runs without an estimate or a wall time count for nothing; factors are held to the limits", () => {
  const c = new Calibration();
  c.observe("dense", [{ estimated: 0, wall: 200 }, { estimated: 100, wall: 0 }]);
  assert.equal(c.factor("dense"), 1);
  c.observe("dense", [{ estimated: 100, wall: 1000 }]);
  assert.equal(c.factor("dense"), CALIBRATION_LIMITS[1]);
  c.observe("dense", [{ estimated: 100, wall: 1 }]);
  assert.equal(c.factor("dense"), CALIBRATION_LIMITS[0]);
});
