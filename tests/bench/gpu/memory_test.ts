import assert from "node:assert/strict";
import { estimateTrainingMemory, TILED_ATTENTION_FROM_SEQ } from "../../../src/bench/gpu/memory.ts";
import { countParameters, PAPER_DENSE_1B } from "../../../src/model/mod.ts";
import { benchModelConfig, TRAIN_TINY } from "../../../src/bench/config.ts";

Deno.test("memory estimate: 16 bytes a parameter of optimizer state, scores only below the tiled length", () => {
  const tiny = benchModelConfig(TRAIN_TINY, "swiglu");
  const e = estimateTrainingMemory(tiny, 16, 128);
  assert.equal(e.optimizerState, 16 * countParameters(tiny).total);
  // Scores and probabilities, float32, every layer: 2 · b · h · s² · L · 4 bytes.
  assert.equal(e.attentionScores, 2 * 16 * 4 * 128 * 128 * 4 * 4);
  assert.equal(e.total, e.optimizerState + e.activations + e.attentionScores + e.logits);
  const paper = PAPER_DENSE_1B("swiglu");
  const long = estimateTrainingMemory(paper, 1, 4096);
  assert.equal(long.attentionScores, 0, `tiled from sequence ${TILED_ATTENTION_FROM_SEQ}`);
  // Activations grow linearly in sequence length once the scores are tiled.
  const twice = estimateTrainingMemory(paper, 1, 8192);
  assert.equal(twice.activations, 2 * long.activations);
});
