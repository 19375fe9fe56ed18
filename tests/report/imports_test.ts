import assert from "node:assert/strict";
import { dirname, relative, resolve } from "node:path";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);
const FORBIDDEN_DIRS = ["src/backend/", "src/model/", "src/activations/"];

/** Every module reachable from `entry` by static imports/exports (type-only ones included: stricter). */
function scan(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [resolve(ROOT, entry)];
  const pattern =
    /(?:^|[\s;])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = Deno.readTextFileSync(file);
    for (const m of text.matchAll(pattern)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith(".")) queue.push(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

function violations(entry: string): string[] {
  const { files, packages } = scan(entry);
  const rel = [...files].map((f) => relative(ROOT, f));
  return [
    ...rel.filter((f) => FORBIDDEN_DIRS.some((d) => f.startsWith(d))),
    ...[...packages].filter((p) => /tensorflow|tfjs/.test(p)),
  ];
}

Deno.test("the scanner finds tfjs where it is (control)", () => {
  const v = violations("src/backend/mod.ts");
  assert.ok(v.some((x) => x.startsWith("src/backend/")));
  assert.ok(v.some((x) => x.includes("@tensorflow/tfjs")), v.join(", "));
});

Deno.test("the report, the published data and the report command never import tfjs, backends, models or activations", () => {
  for (const entry of ["src/report/mod.ts", "src/published/mod.ts", "src/cli/commands/report.ts"]) {
    const { files } = scan(entry);
    assert.ok(files.size > (entry.startsWith("src/published") ? 4 : 15), `${entry}: only ${files.size} files reached`);
    assert.deepEqual(violations(entry), [], entry);
  }
  // The report reaches the result files only through src/results/.
  const reached = [...scan("src/report/mod.ts").files].map((f) => relative(ROOT, f));
  assert.ok(reached.includes("src/results/io.ts") && reached.includes("src/report/charts/_render.ts"));
});
