import assert from "node:assert/strict";
import { join } from "node:path";
import { NO_WEBGPU } from "../_backend_harness.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MESA_LINE = /XDG_RUNTIME_DIR is invalid or not set/;

/** Probes WebGPU in a fresh process with `env` changed (undefined: unset); returns its stderr and the dir it ended with. */
async function probeIn(
  env: Record<string, string | undefined>,
): Promise<{ code: number; stderr: string; dir: string }> {
  const vars = { ...Deno.env.toObject(), NO_COLOR: "1" } as Record<string, string>;
  for (const [k, v] of Object.entries(env)) v === undefined ? delete vars[k] : (vars[k] = v);
  const script = [
    `import { probeWebGPU } from ${JSON.stringify(join(ROOT, "src/backend/mod.ts"))};`,
    `await probeWebGPU();`,
    `console.log(Deno.env.get("XDG_RUNTIME_DIR") ?? "");`,
  ].join("\n");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    cwd: ROOT,
    clearEnv: true,
    env: vars,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stderr: decode(out.stderr), dir: decode(out.stdout).trim() };
}

Deno.test({
  name: `probing WebGPU without XDG_RUNTIME_DIR prints no Mesa complaint${NO_WEBGPU ? ` (skipped: ${NO_WEBGPU})` : ""}`,
  ignore: NO_WEBGPU !== null || Deno.build.os !== "linux",
  fn: async () => {
    for (const value of [undefined, "/nonexistent/polycom-runtime-dir"]) {
      const r = await probeIn({ XDG_RUNTIME_DIR: value });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, MESA_LINE);
      const stat = Deno.lstatSync(r.dir);
      assert.ok(stat.isDirectory, r.dir);
      assert.equal(stat.uid, Deno.uid());
      assert.equal((stat.mode ?? 0) & 0o777, 0o700, `${r.dir} is private`);
    }
  },
});

Deno.test("a valid XDG_RUNTIME_DIR is left as it is", async () => {
  const mine = await Deno.makeTempDir({ prefix: "polycom-runtime-dir-test-" });
  try {
    const r = await probeIn({ XDG_RUNTIME_DIR: mine });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.dir, mine);
  } finally {
    await Deno.remove(mine, { recursive: true });
  }
});
