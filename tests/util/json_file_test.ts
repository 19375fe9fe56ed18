import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../../src/util/errors.ts";
import { readJsonFile } from "../../src/util/json_file.ts";

Deno.test("readJsonFile parses JSON and names the path in each user error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = join(dir, "good.json");
    const bad = join(dir, "bad.json");
    await Deno.writeTextFile(good, '{"a": [1, 2]}');
    await Deno.writeTextFile(bad, "{");
    assert.deepEqual(await readJsonFile(good, "config file"), { a: [1, 2] });
    const cases: [string, RegExp][] = [
      [join(dir, "none.json"), /none\.json: file not found$/],
      [dir, /: is a directory, not a tokens file$/],
      [bad, /bad\.json: not valid JSON \(.+\)$/],
    ];
    for (const [path, message] of cases) {
      await assert.rejects(
        () => readJsonFile(path, "tokens file"),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
