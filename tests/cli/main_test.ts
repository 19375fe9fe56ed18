import assert from "node:assert/strict";
import { exitCodeFor } from "../../src/cli/_errors.ts";
import { runCli } from "../../src/cli/main.ts";
import { UsageError } from "../../src/util/errors.ts";
import { captureConsole } from "../_console.ts";

/** Runs the real CLI entry point with its console output captured. */
async function cli(args: string[]): Promise<{ code: number; err: string[]; out: string[] }> {
  const r = await captureConsole(() => runCli(args));
  if (r.threw) throw r.error;
  return { code: r.result, err: r.err, out: r.out };
}

Deno.test("unknown flag: one line, exit code 2", async () => {
  const { code, err } = await cli(["backend", "--bogus"]);
  assert.equal(code, 2);
  assert.equal(err.length, 1);
  assert.match(err[0], /unknown option '--bogus'/);
});

Deno.test("unknown command and bad choice: exit code 2", async () => {
  assert.equal((await cli(["nope"])).code, 2);
  assert.equal((await cli(["backend", "--backend", "tpu"])).code, 2);
});

Deno.test("usage errors print one line without a stack", () => {
  const lines: string[] = [];
  assert.equal(exitCodeFor(new UsageError("bad suite 'x'"), (l) => lines.push(l)), 2);
  assert.deepEqual(lines, ["error: bad suite 'x'"]);
  assert.equal(exitCodeFor(new Error("bug"), (l) => lines.push(l)), 1);
});
