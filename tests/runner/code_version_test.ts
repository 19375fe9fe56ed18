import assert from "node:assert/strict";
import { join } from "node:path";
import { hashedFiles, sourceHash, UNHASHED_SOURCE_DIRS } from "../../src/runner/code_version.ts";
import { planSuite } from "../../src/runner/plan.ts";
import { loadSuites } from "../../src/suite/load.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
}

Deno.test("a new folder under src/ is hashed; the listed folders and Markdown are not", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-code-version-test-" });
  try {
    await write(root, {
      "src/model/a.ts": "export const a = 1;\n",
      "src/brand_new/b.ts": "export const b = 2;\n",
      "src/brand_new/table.wgsl": "// shader\n",
      "src/brand_new/NOTES.md": "notes\n",
      "src/report/c.ts": "export const c = 3;\n",
      "src/gate/d.ts": "export const d = 4;\n",
    });
    assert.deepEqual(hashedFiles(root), ["src/brand_new/b.ts", "src/brand_new/table.wgsl", "src/model/a.ts"]);
    const before = await sourceHash(root);
    await write(root, { "src/report/c.ts": "export const c = 30;\n", "src/brand_new/NOTES.md": "more\n" });
    assert.equal(await sourceHash(root), before, "a report edit keeps run ids");
    await write(root, { "src/brand_new/b.ts": "export const b = 20;\n" });
    assert.notEqual(await sourceHash(root), before, "an edit in a new folder changes run ids");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("every src/ folder is hashed unless it is on the list, and the list names real folders", () => {
  const folders = [...Deno.readDirSync(join(ROOT, "src"))].filter((e) => e.isDirectory).map((e) => e.name);
  for (const name of Object.keys(UNHASHED_SOURCE_DIRS)) assert.ok(folders.includes(name), `src/${name} exists`);
  const hashed = new Set(hashedFiles().map((f) => f.split("/")[1]));
  for (const name of folders) assert.equal(hashed.has(name), !(name in UNHASHED_SOURCE_DIRS), `src/${name}`);
});

Deno.test("the runner's import graph reaches none of the unhashed folders", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "src/runner/reproduce.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: { specifier: string }[] };
  const prefix = new URL("src/", `file://${ROOT}`).href;
  const folders = new Set(
    graph.modules.map((m) => m.specifier).filter((s) => s.startsWith(prefix)).map((s) =>
      s.slice(prefix.length).split("/")[0]
    ),
  );
  assert.ok(folders.has("model") && folders.has("runner"), [...folders].join(", "));
  for (const name of Object.keys(UNHASHED_SOURCE_DIRS)) {
    assert.ok(!folders.has(name), `the runner imports src/${name}, so it must be hashed`);
  }
});

/** The smoke suite's run ids under a source hash. */
async function smokeRunIds(sourceHash: string): Promise<string[]> {
  const [loaded] = await loadSuites("smoke");
  const runs = await planSuite(loaded, { rungs: ["smoke"] }, "results", { commit: "x", dirty: false, sourceHash });
  return runs.map((r) => r.runId);
}

async function edit(root: string, file: string, from: string, to: string): Promise<void> {
  const path = join(root, file);
  const text = await Deno.readTextFile(path);
  assert.ok(text.includes(from), `${file} holds ${JSON.stringify(from)}`);
  await Deno.writeTextFile(path, text.replace(from, to));
}

Deno.test("a comment and a re-wrapped line keep the run ids; a changed constant gives new ones", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-code-version-test-" });
  try {
    for (const file of hashedFiles()) {
      await Deno.mkdir(join(root, file, ".."), { recursive: true });
      await Deno.copyFile(join(ROOT, file), join(root, file));
    }
    const before = await sourceHash(root);
    const ids = await smokeRunIds(before);
    assert.ok(ids.length > 1);

    await edit(root, "src/model/init.ts", "in standard deviations.", "in standard deviations (a comment edit).");
    await edit(
      root,
      "src/model/init.ts",
      "while (Math.abs(z) > OLMO_INIT_CUTOFF) z = rng.normal();",
      "while (\n        Math.abs(z) >\n          OLMO_INIT_CUTOFF\n      ) z = rng.normal(); // re-wrapped",
    );
    assert.equal(await sourceHash(root), before, "comment and line breaks");
    await Deno.remove(join(root, ".cache"), { recursive: true });
    assert.equal(await sourceHash(root), before, "the same hash without the token cache");
    assert.deepEqual(await smokeRunIds(await sourceHash(root)), ids);

    await edit(root, "src/model/init.ts", "export const OLMO_INIT_CUTOFF = 3;", "export const OLMO_INIT_CUTOFF = 4;");
    const after = await smokeRunIds(await sourceHash(root));
    assert.equal(after.length, ids.length);
    for (const [i, id] of after.entries()) assert.notEqual(id, ids[i]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
