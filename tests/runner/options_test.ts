import assert from "node:assert/strict";
import {
  defaultJobs,
  parseActivations,
  parseDuration,
  parseJobs,
  parseMultipliers,
  parseScales,
  parseSeeds,
  parseShard,
  selectShard,
} from "../../src/runner/options.ts";
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
  assert.throws(() => parseScales("Huge!"), /unknown scale 'Huge!'/);
  assert.throws(() => parseScales("auto,860k"), /cannot be combined/);
  assert.deepEqual(parseScales("auto"), ["auto"]);
  assert.deepEqual(parseScales("120k, 860k,120k"), ["120k", "860k"]);
  assert.deepEqual(parseSeeds("0-2,7,1"), [0, 1, 2, 7]);
  assert.throws(() => parseSeeds("x"), UsageError);
});

Deno.test("durations, job counts and the default job count", () => {
  assert.equal(parseDuration("30m"), 1800);
  assert.equal(parseDuration("1h30m"), 5400);
  assert.equal(parseDuration("8h"), 28800);
  assert.equal(parseDuration("90s"), 90);
  assert.equal(parseDuration("45"), 45);
  for (const bad of ["", "0", "0m", "3 days", "m", "-5m"]) assert.throws(() => parseDuration(bad), /bad duration/);
  assert.equal(parseJobs("2"), 2);
  for (const bad of ["0", "1.5", "x", "65"]) assert.throws(() => parseJobs(bad), /bad job count/);
  assert.equal(defaultJobs(2, 8), 2, "one job per core");
  assert.equal(defaultJobs(16, 3), 2, "memory caps the jobs");
  assert.equal(defaultJobs(1, 0.5), 1, "at least one");
});

Deno.test("--activations: a list of names, duplicates dropped; an empty or malformed list is a usage error", () => {
  assert.deepEqual(parseActivations("polynorm, swiglu,polynorm"), ["polynorm", "swiglu"]);
  assert.throws(() => parseActivations(" , "), UsageError);
  assert.throws(() => parseActivations("poly-norm"), /bad activation name 'poly-norm'/);
});

Deno.test("--lr-sweep / --init-sweep: positive multipliers up to 100, each once; anything else is a usage error", () => {
  assert.deepEqual(parseMultipliers("0.5, 1,2", "--lr-sweep"), [0.5, 1, 2]);
  assert.deepEqual(parseMultipliers(".35,1e1", "--init-sweep"), [0.35, 10]);
  for (const bad of ["", "0", "-1", "a", "1,,2", "101", "1,1"]) {
    assert.throws(
      () => parseMultipliers(bad, "--init-sweep"),
      (e: unknown) => e instanceof UsageError && e.message.startsWith(`bad --init-sweep '${bad}'`),
      bad,
    );
  }
});
