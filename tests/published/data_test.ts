import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  displayName,
  loadPublished,
  normalisedPaperCurve,
  paperExperiment,
  PUBLISHED_DATA_DIR,
  publishedDocument,
  readCurves,
  resolveNumber,
  resolvePointer,
  tagOfSourceType,
} from "../../src/published/mod.ts";

function readmeDigests(): Map<string, { bytes: number; sha256: string }> {
  const text = Deno.readTextFileSync(new URL("README.md", PUBLISHED_DATA_DIR));
  const rows = new Map<string, { bytes: number; sha256: string }>();
  for (const m of text.matchAll(/^\| `([^`]+)`\s*\|\s*(\d+)\s*\|\s*([0-9a-f]{64}) \|$/gm)) {
    rows.set(m[1], { bytes: Number(m[2]), sha256: m[3] });
  }
  return rows;
}

Deno.test("published data files are unchanged: size and SHA-256 match the README", () => {
  const digests = readmeDigests();
  assert.ok(digests.size >= 15, `README lists ${digests.size} files`);
  const onDisk = [...Deno.readDirSync(PUBLISHED_DATA_DIR)].map((e) => e.name).filter((n) => n !== "README.md").sort();
  assert.deepEqual(onDisk, [...digests.keys()].sort(), "every data file is listed, and only those");
  for (const [name, expected] of digests) {
    const bytes = Deno.readFileSync(new URL(name, PUBLISHED_DATA_DIR));
    assert.equal(bytes.length, expected.bytes, name);
    assert.equal(createHash("sha256").update(bytes).digest("hex"), expected.sha256, name);
  }
});

Deno.test("published.json loads with the keys the project relies on", () => {
  const p = loadPublished();
  assert.equal(p.source.arxiv_id, "2411.03884");
  assert.deepEqual(p.experiments.slice(0, 2).map((e) => e.id), ["dense_1B", "moe_1B_active_7B_total"]);
  assert.equal(p.experiments[0].training_tokens?.paper, 250e9);
  assert.ok(p.missing.length > 0);
});

Deno.test("JSON pointers resolve, escape '/' and '~', and fail loudly", () => {
  const doc = { a: { "b/c": [1, { "~x": 2 }] } };
  assert.equal(resolvePointer(doc, "/a/b~1c/0"), 1);
  assert.equal(resolvePointer(doc, "/a/b~1c/1/~0x"), 2);
  assert.equal(resolvePointer(doc, ""), doc);
  assert.throws(() => resolvePointer(doc, "/a/nope"), /no 'nope'/);
  assert.throws(() => resolvePointer(doc, "a"), /must start/);
  assert.throws(() => resolveNumber(doc, "/a"), /not a number/);
  const published = publishedDocument("published.json");
  assert.equal(
    resolveNumber(published, "/results/figure_derived/dense_1B/train_loss_at_tokens_B/PolyNorm/250"),
    2.1712,
  );
});

Deno.test("provenance tags map every source_type used in published.json", () => {
  const text = Deno.readTextFileSync(new URL("published.json", PUBLISHED_DATA_DIR));
  const types = new Set([...text.matchAll(/"source_type": "([a-z_]+)"/g)].map((m) => m[1]));
  assert.ok(types.size >= 4);
  for (const t of types) assert.match(tagOfSourceType(t), /^(code|fig|para|rev|sec|der)$/);
  assert.throws(() => tagOfSourceType("blog"), /unknown source_type/);
});

Deno.test("curve CSVs parse into series whose point counts match curves_index.json", () => {
  const index = publishedDocument("curves_index.json") as {
    panels: Array<{ csv: string; series: Array<{ series: string; trace: string; n_points: number }> }>;
  };
  assert.equal(index.panels.length, 11);
  for (const panel of index.panels) {
    const series = readCurves(panel.csv);
    for (const s of panel.series) {
      const found = series.find((x) => x.series === s.series && x.trace === s.trace);
      assert.ok(found, `${panel.csv}: ${s.series}/${s.trace}`);
      assert.equal(found.points.length, s.n_points, `${panel.csv}: ${s.series}/${s.trace}`);
    }
  }
  assert.throws(() => readCurves("../published.json"), /not a curve file/);
});

Deno.test("paper experiments: reference points and normalised curves", () => {
  const dense = paperExperiment("dense_1B");
  assert.deepEqual(dense.train.reference, { tokensB: 250, value: 2.1902 });
  assert.equal(dense.budgetTokens, 250e9);
  const moe = paperExperiment("moe_1B_active_7B_total");
  assert.deepEqual(moe.train.reference, { tokensB: 201.9977, value: 2.3547 });
  assert.deepEqual(moe.validation.map((p) => p.label), ["validation loss (C4)", "validation loss (Wikipedia)"]);

  // SwiGLU's normalised curve passes through (1, 1) by construction; PolyNorm ends below it.
  const swiglu = normalisedPaperCurve(dense.train, "swiglu");
  const near = (curve: Array<{ x: number; y: number }>, x: number) =>
    curve.reduce((best, p) => (Math.abs(p.x - x) < Math.abs(best.x - x) ? p : best));
  assert.ok(Math.abs(near(swiglu, 1).y - 1) < 0.002);
  const polynorm = normalisedPaperCurve(dense.train, "polynorm");
  assert.ok(Math.abs(near(polynorm, 1).y - 2.1712 / 2.1902) < 0.002);
  assert.ok(polynorm.every((p, i) => i === 0 || p.x >= polynorm[i - 1].x), "sorted by x");
  // The 10k-point MoE series is binned down.
  const moeCurve = normalisedPaperCurve(moe.train, "polynorm", 300);
  assert.ok(moeCurve.length <= 300 && moeCurve.length > 200);
  assert.deepEqual(normalisedPaperCurve(dense.train, "relu2"), []);
  assert.equal(displayName("relu2"), "ReLU²");
});
