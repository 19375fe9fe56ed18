import assert from "node:assert/strict";
import { tf } from "../../src/backend/mod.ts";
import { MOE_BLOCK_ROWS } from "../../src/kernels/moe/mod.ts";
import { blockLayout, layoutBlocks } from "../../src/model/moe_grouped.ts";
import { Rng } from "../../src/util/rng.ts";
import { BACKENDS, backendTest } from "../_backend_harness.ts";

/** T tokens, each to k distinct experts of E drawn at random, skewed so some experts get none. */
function randomIds(seed: number, tokens: number, k: number, experts: number): Int32Array {
  const rng = new Rng(seed);
  const ids = new Int32Array(tokens * k);
  for (let t = 0; t < tokens; t++) {
    const picked = new Set<number>();
    while (picked.size < k) picked.add(Math.min(experts - 1, Math.floor(experts * rng.next() ** 2)));
    ids.set([...picked], t * k);
  }
  return ids;
}

const CASES = [
  { tokens: 1, k: 1, experts: 1 },
  { tokens: 50, k: 3, experts: 8 },
  { tokens: 300, k: 2, experts: 5 },
  { tokens: 70, k: 8, experts: 64 },
];

for (const backend of BACKENDS) {
  backendTest("block layout: expert-sorted, stable, padded to blocks, within the bound", backend, async () => {
    for (const [i, { tokens, k, experts }] of CASES.entries()) {
      const ids = randomIds(i, tokens, k, experts);
      const t = tf.tensor2d(ids, [tokens, k], "int32");
      const layout = blockLayout(t, experts);
      const position = await layout.position.data() as Int32Array;
      const source = await layout.source.data() as Int32Array;
      const blockExpert = await layout.blockExpert.data() as Int32Array;
      tf.dispose([t, layout.position, layout.source, layout.blockExpert]);
      const what = `T=${tokens} k=${k} E=${experts}`;
      assert.equal(blockExpert.length, layoutBlocks(tokens * k, experts), what);
      assert.ok(source.length <= tokens * k + experts * (MOE_BLOCK_ROWS - 1), what);
      assert.equal(source.length, blockExpert.length * MOE_BLOCK_ROWS, what);
      // source and position are inverse; every other row is padding.
      position.forEach((row, a) => assert.equal(source[row], a, `${what}: row of assignment ${a}`));
      assert.equal(source.filter((a) => a >= 0).length, tokens * k, what);
      // Each row lies in a block of its expert, and an expert's rows follow assignment order.
      const last = new Map<number, number>();
      position.forEach((row, a) => assert.equal(blockExpert[Math.floor(row / MOE_BLOCK_ROWS)], ids[a], what));
      source.forEach((a) => {
        if (a < 0) return;
        assert.ok((last.get(ids[a]) ?? -1) < a, `${what}: expert ${ids[a]} out of order`);
        last.set(ids[a], a);
      });
      // Blocks are in expert order, the padding blocks (expert E) last.
      for (let b = 1; b < blockExpert.length; b++) assert.ok(blockExpert[b - 1] <= blockExpert[b], what);
      const counts = Array.from({ length: experts }, (_, e) => ids.filter((x) => x === e).length);
      const used = counts.reduce((n, c) => n + Math.ceil(c / MOE_BLOCK_ROWS), 0);
      assert.ok(blockExpert.slice(used).every((e) => e === experts), `${what}: padding blocks`);
    }
  });
}
