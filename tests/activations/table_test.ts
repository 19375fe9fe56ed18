import assert from "node:assert/strict";
import { ACTIVATION_IDS, activationRow, ACTIVATIONS } from "../../src/activations/table.ts";
import { getActivation } from "../../src/activations/registry.ts";
import { displayName, EXPERIMENT_IDS, PAPER_SERIES_NAMES } from "../../src/published/mod.ts";
import { Suite } from "../../src/suite/schema.ts";
import { sortActivations } from "../../src/report/data.ts";

Deno.test("the activation table: unique Hugging Face names, colours and report positions", () => {
  const rows = Object.values(ACTIVATIONS);
  for (const key of ["hfName", "displayName", "colour", "paperOrder"] as const) {
    assert.equal(new Set(rows.map((r) => r[key])).size, rows.length, `${key} is unique`);
  }
  assert.deepEqual(rows.map((r) => r.paperOrder).sort(), rows.map((_, i) => i), "paperOrder is 0..n-1");
  for (const row of rows) assert.match(row.colour, /^#[0-9a-f]{6}$/);
  assert.equal(activationRow("nope"), undefined);
  assert.equal(activationRow("toString"), undefined);
});

Deno.test("every reader of the activation table sees the same rows", () => {
  for (const id of ACTIVATION_IDS) {
    const row = ACTIVATIONS[id];
    const spec = getActivation(id);
    assert.deepEqual(
      [spec.hfName, spec.gated, spec.learnable, spec.widthMultiplier],
      [row.hfName, row.gated, row.learnable, row.widthMultiplier],
    );
    assert.equal(displayName(id), row.displayName);
    assert.equal(PAPER_SERIES_NAMES[id], row.displayName);
  }
  const schema = Suite.shape.activations.element.options;
  assert.deepEqual([...schema], [...ACTIVATION_IDS]);
  // The suite schema lists the experiments itself (the runner may not load src/published/, which is not hashed).
  assert.deepEqual([...Suite.shape.experiment.options], [...EXPERIMENT_IDS], "suite schema vs EXPERIMENT_IDS");
  const byOrder = [...ACTIVATION_IDS].sort((a, b) => ACTIVATIONS[a].paperOrder - ACTIVATIONS[b].paperOrder);
  assert.deepEqual(sortActivations(ACTIVATION_IDS), byOrder);
  // The paper's ranking comes first.
  assert.deepEqual(byOrder.slice(0, 5), ["polynorm", "polyrelu", "swiglu", "gelu", "relu"]);
});

Deno.test("the PyTorch model (shipped remote code, used by tools/torch_reference.py) handles exactly the table's Hugging Face names", async () => {
  const python = await Deno.readTextFile(
    new URL("../../src/model/checkpoint/remote_code/modeling_polycom.py", import.meta.url),
  );
  const handled = [...python.matchAll(/if act == "([^"]+)"/g)].map((m) => m[1]).sort();
  const table = Object.values(ACTIVATIONS).map((r) => r.hfName).sort();
  assert.deepEqual(handled, table, "the PyTorch reference's activation() drifted from src/activations/table.ts");
});
