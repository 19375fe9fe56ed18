import assert from "node:assert/strict";
import { MAX_ORDER } from "../../src/activations/polycom.ts";
import { DataConfig, ModelDims, TokenizerConfig } from "../../src/suite/schema.ts";

Deno.test("suite data: shipped and well-formed local source names; unknown ones are errors", () => {
  const ok = DataConfig.safeParse({
    train: { brown: 1, "text:corpus/": 2, "text:corpus/**/*.txt": 1 },
    validation: ["synthetic", "jsonl:val.jsonl#text", "parquet:val.parquet#body"],
    tokenizer: { huggingface: "gpt2/tokenizer.json" },
  });
  assert.ok(ok.success, JSON.stringify(ok.error?.issues));
  for (const bad of ["wiki", "jsonl:val.jsonl", "parquet:val.parquet#", "csv:x.csv"]) {
    const r = DataConfig.safeParse({ train: { brown: 1 }, validation: [bad], tokenizer: "byte" });
    assert.equal(r.success, false, bad);
    assert.match(r.error!.issues[0].message, new RegExp(`unknown data source '${bad.replace(/[.*#]/g, "\\$&")}'`));
  }
  assert.equal(TokenizerConfig.safeParse({ huggingface: "" }).success, false);
  assert.equal(TokenizerConfig.safeParse({ huggingface: "t.json", extra: 1 }).success, false);
});

Deno.test("the suite's PolyCom order limit is the kernels' MAX_ORDER", () => {
  const dims = { hidden: 8, layers: 1, heads: 2, gatedWidth: 8 };
  assert.ok(ModelDims.safeParse({ ...dims, polyOrder: MAX_ORDER }).success);
  assert.equal(ModelDims.safeParse({ ...dims, polyOrder: MAX_ORDER + 1 }).success, false);
});
