/**
 * The report and the gate learn what was expected from the plan record the
 * runner wrote (results/<suite>/plan.json), never from suite files: their
 * import graphs reach neither src/suite/ nor suites/.
 */
import assert from "node:assert/strict";
import { dirname, relative, resolve } from "node:path";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);
const SUITE_DIRS = ["src/suite/", "suites/"];

/** Every module reachable from `entry` by static and literal dynamic imports, not descending into `stopAt`. */
function reach(entry: string, stopAt: string[] = []): string[] {
  const seen = new Set<string>();
  const queue = [resolve(ROOT, entry)];
  const pattern = /(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/g;
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (stopAt.some((d) => relative(ROOT, file).startsWith(d))) continue;
    for (const m of Deno.readTextFileSync(file).matchAll(pattern)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith(".")) queue.push(resolve(dirname(file), spec));
    }
  }
  return [...seen].map((f) => relative(ROOT, f));
}

const suiteFiles = (files: string[]) => files.filter((f) => SUITE_DIRS.some((d) => f.startsWith(d)));

Deno.test("the scanner finds suite files where they are (control)", () => {
  assert.ok(suiteFiles(reach("src/runner/reproduce.ts")).includes("src/suite/load.ts"));
  assert.ok(suiteFiles(reach("tests/suite/ladder_test.ts")).includes("suites/dense.ts"));
});

Deno.test("the report imports no suite file", () => {
  for (const entry of ["src/report/mod.ts", "src/cli/commands/report.ts"]) {
    const files = reach(entry);
    assert.ok(files.includes("src/results/plan.ts"), `${entry} reads the plan record`);
    assert.deepEqual(suiteFiles(files), [], entry);
  }
});

Deno.test("the gate imports no suite file (it trains through the runner, and judges from the plan record)", () => {
  // The runner plans from suites: that is its job. Everything else the gate reaches must not.
  const files = reach("src/gate/mod.ts", ["src/runner/"]);
  assert.ok(files.includes("src/results/plan.ts"));
  assert.deepEqual(suiteFiles(files), []);
});
