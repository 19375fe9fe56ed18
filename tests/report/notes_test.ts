import assert from "node:assert/strict";
import { selectRuns } from "../../src/judge/select.ts";
import { buildReportData } from "../../src/report/data.ts";
import { caveatsSection, deviationsSection, experimentsWithNotes } from "../../src/report/_md_notes.ts";
import { loadRuns } from "../../src/results/io.ts";
import { writeFixtureSuite } from "./_fixtures.ts";

async function notesFor(experiment: "dense_1B" | "moe_1B_active_7B_total", rename?: string) {
  const root = await Deno.makeTempDir();
  try {
    await writeFixtureSuite({ root, experiment, effects: { swiglu: 0, polynorm: -0.02 }, seeds: [0, 1] });
    const runs = await loadRuns(root);
    if (rename) { for (const r of runs) r.record.experiment = rename; }
    const data = buildReportData(selectRuns(runs), null);
    return deviationsSection(data) + "\n" + caveatsSection(data);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("experiment notes are keyed by experiment: dense, MoE, and none for a new experiment", async () => {
  assert.deepEqual(experimentsWithNotes(), ["dense_1B", "moe_1B_active_7B_total"]);
  const dense = await notesFor("dense_1B");
  assert.match(dense, /RedPajama-1T/);
  assert.match(dense, /'Validation PPL' is undocumented/);
  assert.doesNotMatch(dense, /OLMoE|MoE evaluation arrays/);
  const moe = await notesFor("moe_1B_active_7B_total");
  assert.match(moe, /OLMoE-mix-0924/);
  assert.match(moe, /MoE evaluation arrays/);
  assert.doesNotMatch(moe, /RedPajama|Validation PPL/);
  const other = await notesFor("moe_1B_active_7B_total", "vision_300M");
  assert.doesNotMatch(other, /RedPajama|OLMoE|Validation PPL|MoE evaluation arrays|Megatron|megablocks/);
  assert.match(other, /\*\*Scale\.\*\* .* tokens\./);
  assert.match(other, /in float32\./);
});
