/**
 * Crash-safe file writes: write a temporary file next to the target, flush
 * it, then rename over the target. A process killed at any moment leaves
 * either the old file or the new one, never half of one.
 * @module
 */
import { dirname } from "node:path";

/**
 * Writes bytes or text atomically.
 *
 * @example
 * ```ts
 * await writeFileAtomic("results/x/run.json", JSON.stringify({ ok: true }));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(tmp, path);
}

/**
 * Writes a value as pretty JSON, atomically, with a trailing newline.
 *
 * @example
 * ```ts
 * await writeJsonAtomic("out/config.json", { vocab_size: 256 });
 * ```
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Replaces a whole directory atomically: `fill` writes into a fresh sibling
 * directory, which is then renamed over `path` (the old one is removed after).
 *
 * @example
 * ```ts
 * await replaceDirAtomic("results/run/checkpoint", async (dir) => {
 *   await Deno.writeTextFile(`${dir}/config.json`, "{}");
 * });
 * ```
 */
export async function replaceDirAtomic(path: string, fill: (dir: string) => Promise<void>): Promise<void> {
  const staging = `${path}.staging-${Deno.pid}`;
  const old = `${path}.old-${Deno.pid}`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  await Deno.mkdir(staging, { recursive: true });
  await fill(staging);
  let hadOld = false;
  try {
    await Deno.rename(path, old);
    hadOld = true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.rename(staging, path);
  if (hadOld) await Deno.remove(old, { recursive: true });
}
