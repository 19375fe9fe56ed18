import assert from "node:assert/strict";
import { join } from "node:path";
import { MAX_FILE_LINES, MAX_FUNCTION_LINES, oversized } from "../../tools/size.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

function body(lines: number): string {
  return Array.from({ length: lines }, (_, i) => `  const x${i} = ${i};`).join("\n");
}

Deno.test("the size script finds long files and long functions, and accepts a stated reason (control)", async () => {
  const root = await Deno.makeTempDir({ prefix: "polycom-size-test-" });
  try {
    await Deno.mkdir(join(root, "src", "a"), { recursive: true });
    const long = MAX_FUNCTION_LINES; // with its two brace lines, two over the limit
    await Deno.writeTextFile(
      join(root, "src", "a", "f.ts"),
      `export function short() {\n${body(3)}\n}\n` +
        `export function tooLong() {\n${body(long)}\n}\n` +
        `export const arrow = () => {\n${body(long)}\n};\n` +
        `export function explained() {\n  // Long because it is a test.\n${body(long)}\n}\n`,
    );
    await Deno.writeTextFile(join(root, "src", "big.ts"), `${body(MAX_FILE_LINES + 1)}\n`);
    await Deno.writeTextFile(join(root, "src", "big_ok.ts"), `/** Long because tested. */\n${body(MAX_FILE_LINES)}\n`);
    await Deno.writeTextFile(join(root, "src", "edge.ts"), `${body(MAX_FILE_LINES)}\n`);
    assert.deepEqual(oversized(root).map((o) => [o.file, o.fn ?? null, o.lines]), [
      ["src/a/f.ts", "tooLong", long + 2],
      ["src/a/f.ts", "arrow", long + 2],
      ["src/big.ts", null, MAX_FILE_LINES + 1],
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("no file over 400 lines and no function over 80 lines in src/ without a stated reason", async () => {
  const out = await new Deno.Command(Deno.execPath(), { args: ["task", "size"], cwd: ROOT, stdout: "piped" }).output();
  const listing = new TextDecoder().decode(out.stdout);
  assert.deepEqual(oversized(ROOT), [], listing);
  assert.equal(out.code, 0, listing);
});
