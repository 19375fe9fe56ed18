/**
 * The code version recorded in every result and hashed into run ids.
 * @module
 */
import { join, relative } from "node:path";
import type { CodeVersion } from "../results/schema.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import type { codeTokens } from "../util/code_tokens.ts";
import { sha256Hex } from "../util/hash.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * Folders of `src/` left out of the source hash, each with why it cannot
 * change the numbers a run produces. Everything else under `src/` is hashed,
 * so a new folder counts until it is listed here. A test checks that the
 * runner's import graph reaches none of these.
 */
export const UNHASHED_SOURCE_DIRS: Readonly<Record<string, string>> = {
  report: "reads finished result files and renders them; runs never call it",
  gate: "compares result files with the baseline after the runs",
  judge: "judges finished result files (claims, statistics, verdicts); runs never call it",
  published: "the paper's numbers, read by the report and the gate only",
  bench: "benchmarks; the runner's estimates and runs do not use it",
  cli: "parses flags and prints; the parsers and defaults that pick a run's config live in src/runner/options.ts",
};

/** Files under those folders that are documentation, not code or data the code reads. */
const UNHASHED_FILE = /\.md$/;

async function git(args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command("git", { args, cwd: ROOT, stdout: "piped", stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

function listFiles(dir: string, out: string[]): void {
  let entries: Deno.DirEntry[];
  try {
    entries = Array.from(Deno.readDirSync(dir));
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) listFiles(path, out);
    else if (entry.isFile && !UNHASHED_FILE.test(entry.name)) out.push(path);
  }
}

/**
 * The files the source hash covers, relative to the repository root and
 * sorted: every file under `src/` (Markdown aside) outside
 * {@linkcode UNHASHED_SOURCE_DIRS}. `root` is for tests.
 *
 * @example
 * ```ts
 * hashedFiles().includes("src/model/transformer.ts"); // true
 * hashedFiles().some((f) => f.startsWith("src/report/")); // false
 * ```
 */
export function hashedFiles(root = ROOT): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(join(root, "src"))) {
    const path = join(root, "src", entry.name);
    if (entry.isDirectory && !(entry.name in UNHASHED_SOURCE_DIRS)) listFiles(path, files);
    else if (entry.isFile && !UNHASHED_FILE.test(entry.name)) files.push(path);
  }
  return files.map((f) => relative(root, f)).sort();
}

/** What the token digests depend on besides a file's bytes: the tokenizer's code and its TypeScript. */
const TOKENIZER = new URL("../util/code_tokens.ts", import.meta.url);

/**
 * Token digests by the SHA-256 of a file's bytes, kept in `.cache/` so that a
 * start-up parses only the files changed since the last one (loading and
 * running the TypeScript parser over every file costs more than the hashing).
 * The key names the tokenizer, so a new tokenizer or TypeScript starts afresh.
 */
interface TokenCache {
  key: string;
  digests: Record<string, string>;
}

async function tokenizerKey(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))) as { imports: Record<string, string> };
  return await sha256Hex(`${config.imports.typescript}\n${await Deno.readTextFile(TOKENIZER)}`);
}

async function readTokenCache(path: string, key: string): Promise<TokenCache> {
  try {
    const cache = JSON.parse(await Deno.readTextFile(path)) as TokenCache;
    if (cache.key === key && cache.digests && typeof cache.digests === "object") return cache;
  } catch {
    // No cache or an unreadable one: every file is tokenized afresh.
  }
  return { key, digests: {} };
}

/**
 * Hashes the files of {@linkcode hashedFiles}, so a run id changes when code
 * that can change its numbers changes (not on a report or README edit). A
 * TypeScript file is hashed by its tokens ({@linkcode codeTokens}), so a
 * comment, a re-wrapped line or re-formatting keeps the ids; other files
 * (data, shaders, Python) by their bytes. A suite's own values enter the run
 * id through the resolved config instead.
 *
 * @example
 * ```ts
 * import { sourceHash } from "./code_version.ts";
 * const hash = await sourceHash();
 * ```
 */
export async function sourceHash(root = ROOT): Promise<string> {
  const cachePath = join(root, ".cache", "code_tokens.json");
  const cache = await readTokenCache(cachePath, await tokenizerKey());
  const used: Record<string, string> = {};
  let tokenize: typeof codeTokens | null = null;
  const parts: string[] = [];
  for (const file of hashedFiles(root)) {
    const bytes = await Deno.readFile(join(root, file));
    const raw = await sha256Hex(bytes);
    let digest = raw;
    if (file.endsWith(".ts")) {
      digest = cache.digests[raw];
      if (digest === undefined) {
        tokenize ??= (await import("../util/code_tokens.ts")).codeTokens;
        digest = await sha256Hex(tokenize(new TextDecoder().decode(bytes), file));
      }
      used[raw] = digest;
    }
    parts.push(`${file}\n${digest}`);
  }
  if (tokenize || Object.keys(used).length !== Object.keys(cache.digests).length) {
    await writeFileAtomic(cachePath, JSON.stringify({ key: cache.key, digests: used })).catch(() => {});
  }
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
