/**
 * The stages' import graphs, as `deno info --json` resolves them (static and
 * type-only imports, npm packages included): the judging stages never load
 * tfjs or the model, the gate's judging never loads the chart renderer, and
 * the activation entry loads no report code.
 */
import assert from "node:assert/strict";
import { relative, resolve } from "node:path";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);

/** Files (relative to the root) and npm packages of one entry's module graph. */
async function graph(entry: string): Promise<{ files: string[]; packages: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", entry], cwd: ROOT }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: Array<{ specifier: string }> };
  const specifiers = info.modules.map((m) => m.specifier);
  return {
    files: specifiers.filter((s) => s.startsWith("file:")).map((s) => relative(ROOT, new URL(s).pathname)),
    packages: specifiers.filter((s) => s.startsWith("npm:")).map((s) => s.replace(/^npm:\/?/, "")),
  };
}

const TFJS = /^@tensorflow\//;
const CHARTS = /^(chart\.js|@napi-rs\/canvas)@/;
const MODEL_DIRS = ["src/model/", "src/backend/", "src/kernels/", "src/activations/"];
/** Plain data any stage may read. */
const SHARED_DATA = new Set(["src/activations/table.ts"]);

function forbidden(g: { files: string[]; packages: string[] }, dirs: string[], packages: RegExp[]): string[] {
  return [
    ...g.files.filter((f) => !SHARED_DATA.has(f) && dirs.some((d) => f.startsWith(d))),
    ...g.packages.filter((p) => packages.some((re) => re.test(p))),
  ];
}

Deno.test("the graph reader finds tfjs, the model and the canvas where they are (control)", async () => {
  const g = await graph("mod.ts");
  assert.ok(g.packages.some((p) => TFJS.test(p)), g.packages.join(", "));
  assert.ok(g.packages.some((p) => CHARTS.test(p)), g.packages.join(", "));
  assert.ok(g.files.includes("src/model/transformer.ts"));
});

Deno.test("the judge, the report, the published data and the report command load no tfjs and no model", async () => {
  for (const entry of ["src/judge/mod.ts", "src/report/mod.ts", "src/published/mod.ts", "src/cli/commands/report.ts"]) {
    const g = await graph(entry);
    assert.ok(g.files.length > 4, `${entry}: only ${g.files.length} files reached`);
    assert.deepEqual(forbidden(g, MODEL_DIRS, [TFJS]), [], entry);
  }
  // The report reaches the result files only through src/results/, and does draw charts.
  const report = await graph("src/report/mod.ts");
  assert.ok(report.files.includes("src/results/io.ts") && report.files.includes("src/report/charts/_render.ts"));
  assert.ok(report.packages.some((p) => CHARTS.test(p)));
});

Deno.test("the gate's judging loads no chart code, no canvas, no tfjs and no model", async () => {
  for (const entry of ["src/gate/mod.ts", "src/judge/mod.ts"]) {
    const g = await graph(entry);
    assert.deepEqual(forbidden(g, [...MODEL_DIRS, "src/report/"], [TFJS, CHARTS]), [], entry);
  }
  // Running the gate trains through the runner (tfjs), but still never draws charts.
  const run = await graph("src/gate/run.ts");
  assert.ok(run.packages.some((p) => TFJS.test(p)));
  assert.deepEqual(forbidden(run, ["src/report/charts/"], [CHARTS]), []);
});

Deno.test("every package entry point in deno.json exists, and the activation entry loads no report code", async () => {
  const config = JSON.parse(await Deno.readTextFile(resolve(ROOT, "deno.json"))) as { exports: Record<string, string> };
  assert.ok(Object.keys(config.exports).length > 5, "deno.json exports sub-entries");
  for (const path of Object.values(config.exports)) await Deno.stat(resolve(ROOT, path));
  assert.equal(config.exports["./activations"], "./src/activations/mod.ts");
  for (const entry of ["src/activations/mod.ts", "src/activations/table.ts", "src/model/mod.ts"]) {
    const g = await graph(entry);
    assert.deepEqual(forbidden(g, ["src/report/", "src/judge/", "src/gate/"], [CHARTS]), [], entry);
  }
  // The activation table is plain data: schemas and reports can read it without tfjs.
  const table = await graph("src/activations/table.ts");
  assert.deepEqual(table.packages, []);
});

Deno.test("the report and the gate learn what was expected from the plan record, never from suite files", async () => {
  const SUITE_DIRS = ["src/suite/", "suites/"];
  // Control: the runner plans from suite files.
  assert.ok((await graph("src/runner/reproduce.ts")).files.includes("src/suite/load.ts"));
  for (const entry of ["src/judge/mod.ts", "src/report/mod.ts", "src/cli/commands/report.ts", "src/gate/mod.ts"]) {
    assert.deepEqual(forbidden(await graph(entry), SUITE_DIRS, []), [], entry);
  }
  assert.ok((await graph("src/report/mod.ts")).files.includes("src/results/plan.ts"));
  // Running the gate trains through the runner (which reads the suite); what it judges comes from the plan record.
  assert.ok((await graph("src/gate/run.ts")).files.includes("src/results/plan.ts"));
});
