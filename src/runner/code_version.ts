/**
 * The code version recorded in every result and hashed into run ids.
 * @module
 */
import { join, relative } from "node:path";
import type { CodeVersion } from "../results/schema.ts";
import { sha256Hex } from "../util/hash.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Source folders whose code changes the numbers a run produces. */
export const NUMERIC_SOURCE_DIRS = [
  "activations",
  "backend",
  "data",
  "eval",
  "kernels",
  "model",
  "runner",
  "suite",
  "util",
];

async function git(args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command("git", { args, cwd: ROOT, stdout: "piped", stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

async function listFiles(dir: string, out: string[]): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = Array.from(Deno.readDirSync(dir));
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await listFiles(path, out);
    else if (entry.isFile && /\.(ts|json|wgsl)$/.test(entry.name)) out.push(path);
  }
}

/**
 * Hashes the numeric source files, so a run id changes exactly when code that
 * can change its numbers changes (not on a report or README edit).
 *
 * @example
 * ```ts
 * const hash = await sourceHash();
 * ```
 */
export async function sourceHash(): Promise<string> {
  const files: string[] = [];
  for (const dir of NUMERIC_SOURCE_DIRS) await listFiles(join(ROOT, "src", dir), files);
  files.sort();
  const parts: string[] = [];
  for (const file of files) parts.push(`${relative(ROOT, file)}\n${await sha256Hex(await Deno.readFile(file))}`);
  return (await sha256Hex(parts.join("\n"))).slice(0, 16);
}

let cached: Promise<CodeVersion> | null = null;

/**
 * The git commit, whether the tree is dirty, and the numeric source hash.
 *
 * @example
 * ```ts
 * const { commit, dirty, sourceHash } = await codeVersion();
 * ```
 */
export function codeVersion(): Promise<CodeVersion> {
  cached ??= (async () => ({
    commit: (await git(["rev-parse", "HEAD"])) ?? "unknown",
    dirty: ((await git(["status", "--porcelain", "--untracked-files=no"])) ?? "") !== "",
    sourceHash: await sourceHash(),
  }))();
  return cached;
}
