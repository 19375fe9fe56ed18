/**
 * A runtime directory for Mesa's Vulkan drivers. Without `XDG_RUNTIME_DIR`
 * (CI, containers, ssh sessions) lavapipe prints "error: XDG_RUNTIME_DIR is
 * invalid or not set in the environment." twice when WebGPU first looks for
 * an adapter: the first thing a new user would read from `reproduce`. When
 * the variable is unset or names no directory, this process (and what it
 * starts) gets a private one, made 0700 under the temp dir as the XDG spec
 * asks, before the adapter probe.
 * @module
 */
import { tmpdir } from "node:os";
import { join } from "node:path";

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** Ours alone: a real directory (not a link someone planted), owned by this user, mode 0700. */
function isPrivateDirectory(path: string, uid: number): boolean {
  try {
    const stat = Deno.lstatSync(path);
    return stat.isDirectory && stat.uid === uid && ((stat.mode ?? 0) & 0o777) === 0o700;
  } catch {
    return false;
  }
}

/**
 * Sets `XDG_RUNTIME_DIR` to a private directory when it is unset or is not a
 * directory; returns the directory it set, or null when it left the
 * environment alone (already valid, not Linux, or no env/write permission).
 * One directory per user (`polycom-xdg-<uid>` under the temp dir) is reused,
 * so processes do not leave one each behind.
 *
 * @example
 * ```ts
 * ensureRuntimeDir();
 * const adapter = await navigator.gpu?.requestAdapter();
 * ```
 */
export function ensureRuntimeDir(): string | null {
  if (Deno.build.os !== "linux") return null;
  try {
    const current = Deno.env.get("XDG_RUNTIME_DIR");
    if (current && isDirectory(current)) return null;
    const uid = Deno.uid();
    if (uid === null) return null;
    let dir = join(tmpdir(), `polycom-xdg-${uid}`);
    try {
      Deno.mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    // Someone else's directory, or one with looser permissions, is not a runtime dir: make a fresh one.
    if (!isPrivateDirectory(dir, uid)) dir = Deno.makeTempDirSync({ prefix: "polycom-xdg-" });
    Deno.env.set("XDG_RUNTIME_DIR", dir);
    return dir;
  } catch {
    return null; // no --allow-env or a read-only temp dir: Mesa's two lines are all that is lost
  }
}
