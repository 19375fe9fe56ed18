import assert from "node:assert/strict";
import { join } from "node:path";
import { listSuites, loadSuites, validateSuite } from "../../src/suite/load.ts";
import { SUITE_NAME } from "../../src/suite/schema.ts";
import { cli } from "../runner/_cli.ts";
import { UsageError } from "../../src/util/errors.ts";
import dense from "../../suites/dense.ts";

Deno.test("shipped suites load and validate", async () => {
  assert.deepEqual(listSuites().filter((n) => ["dense", "moe", "smoke"].includes(n)), ["dense", "moe", "smoke"]);
  const [d] = await loadSuites("dense");
  assert.equal(d.suite.experiment, "dense_1B");
  assert.deepEqual(d.suite.activations, ["polynorm", "swiglu", "polyrelu", "gelu", "relu", "relu2"]);
  const [m] = await loadSuites("moe");
  assert.equal(m.suite.scales.paper?.model.experts, 64);
  assert.equal(m.suite.scales.paper?.model.topK, 8);
  const smoke = await loadSuites("smoke");
  assert.deepEqual(smoke.map((s) => s.suite.family), ["dense", "moe"]);
});

Deno.test("unknown keys are rejected with their path", () => {
  const bad = structuredClone(dense) as unknown as Record<string, unknown>;
  (bad.scales as Record<string, Record<string, Record<string, unknown>>>)["120k"].train.tokenz = 5;
  assert.throws(() => validateSuite(bad, "x.ts"), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /scales\.120k\.train.*'tokenz'/);
    return true;
  });
});

Deno.test("wrong types and cross-field errors name the path", () => {
  const bad = structuredClone(dense) as unknown as Record<string, Record<string, unknown>>;
  bad.optimizer.lrPeak = "fast";
  assert.throws(() => validateSuite(bad, "x.ts"), /optimizer\.lrPeak/);
  const heads = structuredClone(dense);
  heads.scales["120k"]!.model.heads = 3;
  assert.throws(() => validateSuite(heads, "x.ts"), /not divisible by heads/);
  const baseline = { ...structuredClone(dense), baseline: "gelu" as const, activations: ["polynorm" as const] };
  assert.throws(() => validateSuite(baseline, "x.ts"), /baseline/);
  const alias = { ...structuredClone(dense), aliases: { smoke: "120k" } };
  assert.throws(() => validateSuite(alias, "x.ts"), /aliases\.smoke: 'smoke' is a rung itself/);
});

Deno.test("unknown suite names and missing files are usage errors", async () => {
  await assert.rejects(() => loadSuites("no-such-suite"), /unknown suite 'no-such-suite'/);
  await assert.rejects(() => loadSuites("missing/file.yaml"), /does not exist/);
});

Deno.test("YAML suite files load and are validated", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = join(dir, "mine.json");
    await Deno.writeTextFile(good, JSON.stringify({ ...dense, name: "mine" }));
    const [loaded] = await loadSuites(good);
    assert.equal(loaded.suite.name, "mine");
    const yaml = join(dir, "broken.yaml");
    await Deno.writeTextFile(yaml, "name: [unclosed\n");
    await assert.rejects(
      () => loadSuites(yaml),
      (e: unknown) => e instanceof UsageError && /not valid YAML/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("only suite files count as shipped suites", () => {
  const names = listSuites();
  assert.deepEqual(names, ["dense", "gate", "moe", "smoke"]);
  assert.ok(names.every((n) => SUITE_NAME.test(n)), names.join(", "));
});

Deno.test("reproduce --suite nope lists the shipped suites and nothing else", async () => {
  const r = await cli(["reproduce", "--suite", "nope"]);
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(r.stderr.split("\n").filter((l) => l.startsWith("error:")), [
    "error: unknown suite 'nope' (shipped suites: dense, gate, moe, smoke)",
  ]);
});

Deno.test("a suite file that throws or does not parse: exit 2 and one line naming the file and the error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "polycom-suite-load-test-" });
  try {
    const throws = join(dir, "throws.ts");
    await Deno.writeTextFile(throws, 'throw new Error("no scales today");\nexport default {};\n');
    const broken = join(dir, "broken.ts");
    await Deno.writeTextFile(broken, "export default { name: ;\n");
    for (const [file, problem] of [[throws, /no scales today/], [broken, /\S/]] as const) {
      await assert.rejects(() => loadSuites(file), (e: unknown) => e instanceof UsageError && problem.test(e.message));
      const r = await cli(["reproduce", "--suite", file, "--results", join(dir, "results")]);
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0].startsWith(`error: suite file ${file} failed to load: `), lines[0]);
      assert.match(lines[0], problem);
      assert.ok(!/\bat file:/.test(r.stderr), "no stack trace");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
