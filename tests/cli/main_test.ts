import assert from "node:assert/strict";
import { exitCodeFor } from "../../src/cli/_errors.ts";
import { runCli } from "../../src/cli/main.ts";
import { UsageError } from "../../src/util/errors.ts";

async function capture(fn: () => Promise<number>): Promise<{ code: number; err: string[]; out: string[] }> {
  const err: string[] = [];
  const out: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  try {
    return { code: await fn(), err, out };
  } finally {
    [console.error, console.log] = [e, l];
  }
}

Deno.test("unknown flag: one line, exit code 2", async () => {
  const { code, err } = await capture(() => runCli(["backend", "--bogus"]));
  assert.equal(code, 2);
  assert.equal(err.length, 1);
  assert.match(err[0], /unknown option '--bogus'/);
});

Deno.test("unknown command and bad choice: exit code 2", async () => {
  assert.equal((await capture(() => runCli(["nope"]))).code, 2);
  assert.equal((await capture(() => runCli(["backend", "--backend", "tpu"]))).code, 2);
});

Deno.test("usage errors print one line without a stack", () => {
  const lines: string[] = [];
  assert.equal(exitCodeFor(new UsageError("bad suite 'x'"), (l) => lines.push(l)), 2);
  assert.deepEqual(lines, ["error: bad suite 'x'"]);
  assert.equal(exitCodeFor(new Error("bug"), (l) => lines.push(l)), 1);
});
