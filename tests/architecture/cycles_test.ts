/**
 * No import cycle in `src/`: every file under `src/` is imported at once (so
 * worker scripts and files no entry reaches count too) and the graph that
 * `deno info --json` resolves (static, type-only and dynamic imports) is
 * searched for strongly connected components.
 */
import assert from "node:assert/strict";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);

interface Info {
  modules: Array<{
    specifier: string;
    dependencies?: Array<{ code?: { specifier: string }; type?: { specifier: string } }>;
  }>;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) sourceFiles(path, out);
    else if (/\.ts$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** The import graph of every `src/` file, as file → files it imports (relative to the root). */
async function srcGraph(): Promise<Map<string, string[]>> {
  const dir = await Deno.makeTempDir({ prefix: "polycom-cycles-test-" });
  try {
    const entry = join(dir, "all.ts");
    const files = sourceFiles(join(ROOT, "src")).sort();
    await Deno.writeTextFile(entry, files.map((f) => `import "${new URL(`file://${f}`).href}";\n`).join(""));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", join(ROOT, "deno.json"), entry],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as Info;
    const inSrc = (s: string) => s.startsWith(`file://${ROOT}/src/`);
    const name = (s: string) => relative(ROOT, new URL(s).pathname);
    const graph = new Map<string, string[]>();
    for (const m of info.modules.filter((m) => inSrc(m.specifier))) {
      const deps = (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier]);
      graph.set(name(m.specifier), [...new Set(deps.filter((s): s is string => !!s && inSrc(s)).map(name))]);
    }
    assert.equal(graph.size, files.length, "every src/ file is in the graph");
    return graph;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = ""; w !== v;) {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    }
    if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

Deno.test("the cycle finder finds a cycle (control)", () => {
  const g = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]], ["e", ["e"]]]);
  assert.deepEqual(cycles(g), [["a", "b", "c"], ["e"]]);
  assert.deepEqual(cycles(new Map([["a", ["b"]], ["b", []]])), []);
});

Deno.test("no import cycle in src/", async () => {
  const found = cycles(await srcGraph());
  assert.deepEqual(found, [], `import cycles:\n${found.map((c) => `  ${c.join(" ↔ ")}`).join("\n")}`);
});
