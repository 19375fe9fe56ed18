import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend/mod.ts";
import { modelScorer, POSITION_MULTIPLE } from "../../src/model/scorer.ts";
import { createModel } from "../../src/model/transformer.ts";
import { tinyConfig } from "./_helpers.ts";

await initBackend("cpu");

/** Log-softmax rows of one sequence scored alone, at its own length (no padding). */
async function alone(model: ReturnType<typeof createModel>, seq: number[]): Promise<number[][]> {
  const logits = await model.logits(tf.tensor2d([seq.slice(0, -1)], [1, seq.length - 1], "int32"));
  const lp = (await tf.logSoftmax(logits).array() as number[][][])[0];
  logits.dispose();
  return lp;
}

Deno.test("the scorer pads sequences to whole multiples of positions and drops the padding's outputs", async () => {
  for (const family of ["dense", "moe"] as const) {
    // A context of 62: 59 positions round up to 60, 61 would round past the context and stay as they are.
    const model = createModel(tinyConfig(family, "polynorm", { initStd: 0.3, maxPositions: 62 }), 3);
    const sequences = Array.from({ length: 9 }, (_, n) => Array.from({ length: n + 2 }, (_, t) => (t * 7 + n) % 11));
    sequences.push(Array.from({ length: 60 }, (_, t) => (t * 5) % 11), Array.from({ length: 62 }, (_, t) => t % 11));
    assert.ok(sequences.some((s) => (s.length - 1) % POSITION_MULTIPLE !== 0));
    for (const maxPositionsPerBatch of [1, 16, 4096]) {
      const { logprobs, argmax } = await modelScorer(model, { maxPositionsPerBatch }).predict!(sequences);
      for (const [i, seq] of sequences.entries()) {
        assert.equal(logprobs[i].length, seq.length - 1, `sequence ${i}: one log-probability per position`);
        assert.equal(argmax[i].length, seq.length - 1);
        const lp = await alone(model, seq);
        seq.slice(1).forEach((target, t) => {
          // Equal to float32 rounding: the padded length and the rows of a pass select the kernels' summation order.
          assert.ok(Math.abs(lp[t][target] - logprobs[i][t]) < 1e-5, `${family}, sequence ${i}, position ${t}`);
          const sorted = [...lp[t]].sort((a, b) => b - a);
          if (sorted[0] - sorted[1] > 1e-4) assert.equal(argmax[i][t], lp[t].indexOf(sorted[0]));
        });
      }
    }
    model.dispose();
  }
});

Deno.test("the scorer leaves no tensors behind", async () => {
  const model = createModel(tinyConfig("dense", "swiglu"), 1);
  const before = tf.memory().numTensors;
  await modelScorer(model).predict!([[1, 2, 3], [4, 5, 6, 7, 8, 9]]);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});
