import assert from "node:assert/strict";
import { PAPER_DENSE_1B, PAPER_MOE_1B7B } from "../../src/model/build_config.ts";
import { attentionMemory } from "../../src/model/counts.ts";

const GiB = 2 ** 30;

Deno.test("tiled attention memory is linear in seq and batch; the fused kernels' grows with seq²", () => {
  for (const config of [PAPER_DENSE_1B("swiglu"), PAPER_MOE_1B7B("polynorm")]) {
    const total = (seq: number, batch: number, tiled: boolean) => {
      const m = attentionMemory(config, seq, batch, tiled);
      return m.saved + m.transient;
    };
    assert.equal(total(4096, 1, true), 2 * total(2048, 1, true));
    assert.equal(total(4096, 8, true), 8 * total(4096, 1, true));
    // f(2n) − 2f(n) keeps only the seq² terms: per layer the probabilities, plus one layer's dp and ds.
    const quadratic = (n: number) => (config.num_hidden_layers + 2) * config.num_attention_heads * n * n * 4;
    assert.equal(total(4096, 1, false) - 2 * total(2048, 1, false), 2 * quadratic(2048));
  }
});

Deno.test("at the paper's dense shape the probabilities cost 1 GiB per sequence per layer, which tiling saves", () => {
  const config = PAPER_DENSE_1B("swiglu");
  const [tiled, untiled] = [true, false].map((t) => attentionMemory(config, 4096, 1, t));
  const layers = config.num_hidden_layers;
  // Tiling adds out and the logsumexp per layer and drops the [seq, seq] probabilities.
  assert.ok(untiled.saved - tiled.saved > (layers - 1) * GiB, `${untiled.saved - tiled.saved}`);
  assert.ok(tiled.transient < untiled.transient / 10);
});
