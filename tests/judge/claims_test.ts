import assert from "node:assert/strict";
import { publishedDocument, resolvePointer } from "../../src/published/mod.ts";
import { CLAIMS, claimsFor, type PublishedValue } from "../../src/judge/claims.ts";

const ACTIVATIONS = new Set(["swiglu", "gelu", "relu", "relu2", "silu", "polyrelu", "polynorm"]);

function decimals(value: number): number {
  const text = String(value);
  return text.includes(".") ? text.split(".")[1].length : 0;
}

function resolved(value: PublishedValue): unknown {
  const ref = value.ref!;
  const doc = publishedDocument(ref.doc);
  if ("pointer" in ref) return resolvePointer(doc, ref.pointer);
  return (resolvePointer(doc, ref.minus[0]) as number) - (resolvePointer(doc, ref.minus[1]) as number);
}

function allValues(): Array<[string, PublishedValue]> {
  return CLAIMS.flatMap((c) => [
    ...c.published.map((p): [string, PublishedValue] => [c.id, p]),
    ...("comparisons" in c.test
      ? c.test.comparisons.flatMap((x) => (x.paper ? [[c.id, x.paper] as [string, PublishedValue]] : []))
      : []),
  ]);
}

Deno.test("every published number in the registry matches the paper data to its quoted precision", () => {
  const values = allValues();
  assert.ok(values.length > 40, `${values.length} values`);
  for (const [id, v] of values) {
    assert.ok(v.ref, `${id}: '${v.label}' has no reference into the paper data`);
    const actual = resolved(v);
    if (typeof v.value === "number") {
      assert.equal(typeof actual, "number", `${id}: '${v.label}'`);
      const tolerance = 0.5 * 10 ** -decimals(v.value) + 1e-12;
      assert.ok(
        Math.abs((actual as number) - v.value) <= tolerance,
        `${id}: '${v.label}' quotes ${v.value}, data ${actual}`,
      );
    } else {
      // Statements: "never reached" speed-ups are null in the data; quoted strings appear verbatim.
      assert.ok(
        actual === null || actual === v.value,
        `${id}: '${v.label}' quotes '${v.value}', data ${JSON.stringify(actual)}`,
      );
    }
  }
});

Deno.test("registry shape: unique ids, known experiments and activations, required claims present", () => {
  const ids = CLAIMS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const c of CLAIMS) {
    assert.ok(c.experiment === "dense_1B" || c.experiment === "moe_1B_active_7B_total");
    const named = "ranking" in c.test ? c.test.ranking : c.test.comparisons.flatMap((x) => [x.activation, x.versus]);
    for (const a of named) assert.ok(ACTIVATIONS.has(a), `${c.id}: ${a}`);
    assert.ok(c.howTested.length > 20 && c.text.length > 20);
  }
  const gap = CLAIMS.find((c) => c.id === "dense.train_loss_gap")!;
  assert.ok("comparisons" in gap.test);
  assert.deepEqual(
    gap.test.comparisons.map((x) => [x.activation, x.expected, x.paper?.value]),
    [["polynorm", "lower", -0.019], ["polyrelu", "lower", -0.012], ["gelu", "higher", 0.018], [
      "relu",
      "higher",
      0.025,
    ]],
  );
  const speed = CLAIMS.find((c) => c.id === "dense.train_speedup")!;
  assert.ok("comparisons" in speed.test);
  assert.deepEqual(speed.test.comparisons.slice(0, 2).map((x) => x.paper?.value), [1.458, 1.23]);
  const moeSpeed = CLAIMS.find((c) => c.id === "moe.train_speedup")!;
  assert.ok("comparisons" in moeSpeed.test && moeSpeed.test.comparisons[0].paper?.value === 1.246);
  for (
    const id of [
      "dense.train_loss_ranking",
      "dense.val_loss_ranking",
      "moe.val_loss_gap",
      "dense.polynorm_vs_polyrelu",
      "dense.downstream",
      "moe.downstream",
    ]
  ) {
    assert.ok(ids.includes(id), id);
  }
  assert.equal(claimsFor("moe_1B_active_7B_total").every((c) => c.id.startsWith("moe.")), true);
  assert.deepEqual(claimsFor("nope"), []);
});

Deno.test("the claim files type no paper number: values and prose come from the paper data", async () => {
  const files = ["claims.ts", "_claims_dense.ts", "_claims_moe.ts", "_quote.ts", "claim_types.ts"];
  const texts = await Promise.all(
    files.map((f) => Deno.readTextFile(new URL(`../../src/judge/${f}`, import.meta.url))),
  );
  const source = texts.join("\n");
  // Code only: drop comments (JSDoc examples quote numbers on purpose).
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const decimals = [...code.matchAll(/(?<![\w.$])\d+\.\d+(?![\w.])/g)].map((m) => m[0]);
  assert.deepEqual(decimals, [], "decimal literals in the claim files");
  assert.doesNotMatch(code, /\d+%/, "percentages are rendered from the data or FINAL_LOSS_WINDOW");
  // The prose shows the rendered data: e.g. the dense gap claim quotes the gaps of its own comparisons.
  const gap = CLAIMS.find((c) => c.id === "dense.train_loss_gap")!;
  assert.match(gap.text, /PolyNorm −0\.019, PolyReLU −0\.012, GELU \+0\.018, ReLU \+0\.025/);
  const speedup = CLAIMS.find((c) => c.id === "dense.val_speedup")!;
  assert.match(speedup.text, /≈1\.40× fewer tokens, PolyReLU with ≈1\.37×/, "half-up rounding of 1.395 and 1.365");
});
