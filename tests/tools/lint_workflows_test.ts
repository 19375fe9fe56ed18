/**
 * The workflow linter of `deno task check`: the repository's workflows pass,
 * and broken copies of them fail, through the function and the command.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { lintWorkflows, WORKFLOW_DIR, workflowFiles } from "../../tools/lint_workflows.ts";
import { ROOT } from "../runner/_cli.ts";

Deno.test("the repository's workflows pass actionlint", async () => {
  const files = workflowFiles(WORKFLOW_DIR);
  assert.deepEqual(files.map((f) => basename(f)), ["ci.yml", "reproduce.yml"]);
  assert.deepEqual(await lintWorkflows(files), []);
});

Deno.test("broken copies of the workflows fail actionlint, naming the line; the command exits 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "polycom-workflows-test-" });
  try {
    const ci = await Deno.readTextFile(join(WORKFLOW_DIR, "ci.yml"));
    const reproduce = await Deno.readTextFile(join(WORKFLOW_DIR, "reproduce.yml"));
    const breakages: Array<[string, string, string, RegExp]> = [
      ["ci.yml", ci, ci.replace("runs-on: ubuntu-latest", "run-on: ubuntu-latest"), /unexpected key "run-on"/],
      ["reproduce.yml", reproduce, reproduce.replace("needs: reproduce", "needs: reproduction"), /reproduction/],
      ["reproduce.yml", reproduce, reproduce.replace("matrix.shard }}/", "matrix.shards }}/"), /"shards"/],
    ];
    for (const [name, original, broken, message] of breakages) {
      assert.notEqual(broken, original, `the breakage applies to ${name}`);
      const file = join(dir, name);
      await Deno.writeTextFile(file, broken);
      const problems = await lintWorkflows([file]);
      const line = broken.split("\n").findIndex((l, i) => l !== original.split("\n")[i]) + 1;
      // At the changed line, or the job's own line just above it (where actionlint puts a bad `needs`).
      const near = (p: { line: number }) => p.line === line || p.line === line - 1;
      assert.ok(problems.some((p) => near(p) && message.test(p.message)), JSON.stringify(problems));
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "tools/lint_workflows.ts", join(dir, "reproduce.yml")],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 1);
    assert.match(new TextDecoder().decode(out.stderr), /reproduce\.yml:\d+:\d+: .*"shards".* \[expression\]/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
