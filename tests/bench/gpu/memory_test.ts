import assert from "node:assert/strict";
import { estimateTrainingMemory } from "../../../src/bench/gpu/memory.ts";
import { attentionMemory } from "../../../src/model/counts.ts";
import { countParameters, PAPER_DENSE_1B } from "../../../src/model/mod.ts";
import { benchModelConfig, TRAIN_TINY } from "../../../src/bench/config.ts";

Deno.test("memory estimate: 16 bytes a parameter of optimizer state, attention tiled at every length", () => {
  const tiny = benchModelConfig(TRAIN_TINY, "swiglu");
  const e = estimateTrainingMemory(tiny, 16, 128);
  assert.equal(e.optimizerState, 16 * countParameters(tiny).total);
  const short = attentionMemory(tiny, 128, 16, true);
  assert.equal(e.attention, short.saved + short.transient);
  assert.equal(e.total, e.optimizerState + e.activations + e.attention + e.logits);
  const paper = PAPER_DENSE_1B("swiglu");
  const long = estimateTrainingMemory(paper, 1, 4096);
  const tiled = attentionMemory(paper, 4096, 1, true);
  assert.equal(long.attention, tiled.saved + tiled.transient);
  // Activations grow linearly in sequence length once the scores are tiled.
  const twice = estimateTrainingMemory(paper, 1, 8192);
  assert.equal(twice.activations, 2 * long.activations);
  assert.ok(twice.attention < 2.01 * long.attention);
});
