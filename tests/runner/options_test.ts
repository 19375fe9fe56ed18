import assert from "node:assert/strict";
import { parseScale, parseSeeds, parseShard, selectShard } from "../../src/runner/options.ts";
import { UsageError } from "../../src/util/errors.ts";

Deno.test("shards are disjoint, cover everything and are balanced", () => {
  const items = Array.from({ length: 23 }, (_, i) => i);
  for (const count of [1, 2, 3, 5, 23, 30]) {
    const parts = Array.from({ length: count }, (_, i) => selectShard(items, { index: i + 1, count }));
    assert.deepEqual(parts.flat().sort((a, b) => a - b), items);
    const sizes = parts.map((p) => p.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  }
});

Deno.test("malformed shards, scales and seeds are usage errors", () => {
  for (const bad of ["0/2", "3/2", "1-2", "a/b", "1/0", ""]) assert.throws(() => parseShard(bad), UsageError);
  assert.deepEqual(parseShard("2/4"), { index: 2, count: 4 });
  assert.throws(() => parseScale("huge"), /unknown scale 'huge'/);
  assert.equal(parseScale("auto"), "auto");
  assert.deepEqual(parseSeeds("0-2,7,1"), [0, 1, 2, 7]);
  assert.throws(() => parseSeeds("x"), UsageError);
});
