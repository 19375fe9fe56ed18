import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import { addDataCommand } from "../../src/cli/commands/data.ts";
import type { SplitStats } from "../../src/data/mod.ts";
import { UsageError } from "../../src/util/errors.ts";
import { captureConsole } from "../_console.ts";

/** Runs `data` commands, returning what they print with console.log; errors are rethrown. */
async function run(args: string[]): Promise<string[]> {
  const program = new Command("polycom").exitOverride();
  addDataCommand(program);
  const r = await captureConsole(() => program.parseAsync(args, { from: "user" }));
  if (r.threw) throw r.error;
  return r.out;
}

const cacheDir = await Deno.makeTempDir({ prefix: "polycom-cli-data-" });
globalThis.addEventListener("unload", () => Deno.removeSync(cacheDir, { recursive: true }));

Deno.test("data stats: documents, bytes and tokens per source and split", async () => {
  const out = await run(["data", "stats", "--sources", "brown,synthetic", "--cache-dir", cacheDir, "--json"]);
  const rows = JSON.parse(out.join("\n")) as SplitStats[];
  assert.deepEqual(rows.map((r) => `${r.source}/${r.split}`), [
    "brown/train",
    "brown/validation",
    "brown/test",
    "synthetic/train",
    "synthetic/validation",
    "synthetic/test",
  ]);
  assert.equal(rows.slice(0, 3).reduce((s, r) => s + r.documents, 0), 500);
  for (const r of rows.slice(0, 3)) assert.equal(r.byteTokens, r.bytes + r.documents);
  assert.equal(rows[4].bytes, 1 << 18);
  const table = await run(["data", "stats", "--sources", "synthetic", "--cache-dir", cacheDir]);
  assert.match(table[0], /^source\s+split\s+documents\s+bytes\s+byte tokens/);
  assert.match(table.join("\n"), /entropy rate 1\.08\d+ nats\/symbol/);
});

Deno.test("data stats: bad input is a usage error", async () => {
  await assert.rejects(() => run(["data", "stats", "--sources", "wiki"]), UsageError);
  await assert.rejects(() => run(["data", "stats", "--bpe", "12"]), /out of range/);
  await assert.rejects(() => run(["data", "stats", "--bpe", "4k"]), /expects a vocabulary size/);
});
