/**
 * Finding, reading and validating suite files (TypeScript literals, YAML or
 * JSON). Every problem is a UsageError naming the file and the key path.
 * @module
 */
import { existsSync } from "node:fs";
import { extname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { UsageError } from "../util/errors.ts";
import { Suite, SUITE_NAME } from "./schema.ts";

/** Folder of the shipped suites. */
export const SUITES_DIR = new URL("../../suites/", import.meta.url).pathname;

/** A loaded suite with the file it came from. */
export interface LoadedSuite {
  suite: Suite;
  path: string;
}

/**
 * Formats zod issues as `path: message` lines.
 *
 * @example
 * ```ts
 * import { Suite } from "./schema.ts";
 * formatIssues(Suite.safeParse({}).error!.issues);
 * ```
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join(".") : "(root)";
    const keys = issue.code === "unrecognized_keys" ? ` ${issue.keys.map((k) => `'${k}'`).join(", ")}` : "";
    return `${path}: ${issue.message}${keys}`;
  }).join("; ");
}

/**
 * Validates a suite object and its cross-field rules.
 *
 * @example
 * ```ts
 * import dense from "../../suites/dense.ts";
 * const suite = validateSuite(dense, "suites/dense.ts");
 * ```
 */
export function validateSuite(raw: unknown, source: string): Suite {
  const parsed = Suite.safeParse(raw);
  if (!parsed.success) throw new UsageError(`invalid suite ${source}: ${formatIssues(parsed.error.issues)}`);
  const suite = parsed.data;
  const problems: string[] = [];
  if (!suite.activations.includes(suite.baseline)) {
    problems.push(`baseline: '${suite.baseline}' is not among the activations`);
  }
  for (const [scale, config] of Object.entries(suite.scales)) {
    if (!config) continue;
    const m = config.model;
    if (m.hidden % m.heads !== 0) {
      problems.push(`scales.${scale}.model: hidden ${m.hidden} is not divisible by heads ${m.heads}`);
    }
    if ((m.hidden / m.heads) % 2 !== 0) problems.push(`scales.${scale}.model: head_dim must be even for RoPE`);
    if (suite.family === "moe") {
      if (!m.experts || !m.topK) problems.push(`scales.${scale}.model: a moe suite needs experts and topK`);
      else if (m.topK > m.experts) problems.push(`scales.${scale}.model: topK ${m.topK} exceeds experts ${m.experts}`);
    } else if (m.experts || m.topK) {
      problems.push(`scales.${scale}.model: experts/topK only apply to moe suites`);
    }
    if (config.train.tokens < config.train.batchSize * config.train.seqLen) {
      problems.push(`scales.${scale}.train.tokens: budget is smaller than one batch`);
    }
  }
  for (const alias of Object.keys(suite.aliases ?? {})) {
    if (alias in suite.scales) problems.push(`aliases.${alias}: '${alias}' is a rung itself`);
  }
  if (suite.headline && suite.headline.minSeeds > suite.headline.maxSeeds) {
    problems.push(`headline: minSeeds ${suite.headline.minSeeds} exceeds maxSeeds ${suite.headline.maxSeeds}`);
  }
  if (suite.family === "moe" && !suite.moe) problems.push("moe: a moe suite needs its auxiliary loss weights");
  if (Object.values(suite.scales).every((s) => !s)) problems.push("scales: no scale is defined");
  if (problems.length) throw new UsageError(`invalid suite ${source}: ${problems.join("; ")}`);
  return suite;
}

async function readRaw(path: string): Promise<unknown> {
  const ext = extname(path).toLowerCase();
  if (ext === ".ts" || ext === ".js") {
    let module: Record<string, unknown>;
    try {
      module = await import(pathToFileURL(path).href);
    } catch (error) {
      // A suite file is user input: what it threw (or why it did not parse) is the problem, not our stack.
      const message = error instanceof Error ? error.message : String(error);
      throw new UsageError(`suite file ${path} failed to load: ${message.trim().split("\n")[0]}`);
    }
    if (!("default" in module)) throw new UsageError(`suite file ${path} has no default export`);
    return module.default;
  }
  const text = await Deno.readTextFile(path);
  try {
    return ext === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new UsageError(
      `suite file ${path} is not valid ${ext === ".json" ? "JSON" : "YAML"}: ${
        (error as Error).message.split("\n")[0]
      }`,
    );
  }
}

/** Extensions a suite file may have, in the order a shipped name is looked up. */
const SUITE_EXTENSIONS = [".ts", ".yaml", ".yml", ".json"];

/** The suite name a file in `suites/` ships, or null when it is not a suite file (`_shared.ts`, `notes.md`, `x.bak.json`). */
function shippedName(fileName: string): string | null {
  const ext = SUITE_EXTENSIONS.find((e) => fileName.endsWith(e));
  if (!ext) return null;
  const name = fileName.slice(0, -ext.length);
  return SUITE_NAME.test(name) ? name : null;
}

/**
 * Names of the shipped suites: the files in `suites/` named `<suite name>.<ts|yaml|yml|json>`
 * (a private `_helper.ts` or a `x.bak.json` is not one).
 *
 * @example
 * ```ts
 * listSuites(); // ["dense", "gate", "moe", "smoke"]
 * ```
 */
export function listSuites(): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(SUITES_DIR)) {
    const name = entry.isFile ? shippedName(entry.name) : null;
    if (name !== null && !names.includes(name)) names.push(name);
  }
  return names.sort();
}

/**
 * Loads the suites of a file, by shipped name (`dense`) or by path
 * (`my/suite.yaml`). A file holds one suite or a list of them (a bundle, such
 * as `smoke`, which holds a dense and an MoE suite).
 *
 * @example
 * ```ts
 * const suites = await loadSuites("smoke"); // smoke-dense, smoke-moe
 * ```
 */
export async function loadSuites(nameOrPath: string): Promise<LoadedSuite[]> {
  let path: string | undefined;
  if (/[\/\\]|\.(ts|ya?ml|json)$/.test(nameOrPath)) {
    path = isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
    if (!existsSync(path)) throw new UsageError(`suite file '${nameOrPath}' does not exist`);
  } else if (SUITE_NAME.test(nameOrPath)) {
    for (const ext of SUITE_EXTENSIONS) {
      const candidate = join(SUITES_DIR, nameOrPath + ext);
      if (existsSync(candidate)) {
        path = candidate;
        break;
      }
    }
  }
  if (!path) {
    throw new UsageError(`unknown suite '${nameOrPath}' (shipped suites: ${listSuites().join(", ")})`);
  }
  const raw = await readRaw(path);
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length === 0) throw new UsageError(`suite file ${path} holds no suite`);
  const suites = items.map((item, i) => ({
    suite: validateSuite(item, Array.isArray(raw) ? `${path}[${i}]` : path),
    path: path as string,
  }));
  const names = suites.map((s) => s.suite.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new UsageError(`suite file ${path} defines suite '${duplicate}' twice`);
  return suites;
}
