import assert from "node:assert/strict";
import { initBackend } from "../../../src/backend/mod.ts";
import { benchModelConfig, TRAIN_TINY } from "../../../src/bench/config.ts";
import { modelMatmulShapes, squareShape, timeMatmul } from "../../../src/bench/gpu/matmul.ts";

Deno.test("model matmul shapes: forward and both backward products of each distinct weight shape", () => {
  const config = benchModelConfig(TRAIN_TINY, "swiglu");
  const shapes = modelMatmulShapes(config, 2048);
  // train-tiny: q/k/v/o share 128×128, gate and up share 128×344, down 344×128, and the 256-token head.
  assert.equal(shapes.length, 3 * 4);
  assert.deepEqual(shapes.slice(-3).map((s) => [s.m, s.k, s.n]), [[2048, 128, 256], [2048, 256, 128], [
    256,
    2048,
    128,
  ]]);
  const up = shapes.filter((s) => s.label.startsWith("mlp.gate_proj"));
  assert.deepEqual(up.map((s) => [s.m, s.k, s.n, s.transposeA, s.transposeB]), [
    [2048, 128, 344, false, false],
    [2048, 344, 128, false, true],
    [128, 2048, 344, true, false],
  ]);
});

Deno.test("timeMatmul: times the product with its transpose flags", async () => {
  await initBackend("cpu");
  const row = await timeMatmul({ ...squareShape(32), m: 16, transposeA: true }, 1);
  assert.ok(row.ms > 0 && Number.isFinite(row.gflops) && row.gflops > 0, JSON.stringify(row));
});
