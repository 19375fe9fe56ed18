/**
 * Local text sources: the researcher's own corpus, named in a suite like a
 * shipped one. The source name says where the text is and how to read it:
 *
 * - `text:PATH`: a text file (documents are its blank-line separated blocks),
 *   a folder (every file below it is one document) or a glob such as
 *   `text:corpus/*.txt` (every matching file is one document);
 * - `jsonl:PATH#FIELD`: one document per line, the string field FIELD;
 * - `parquet:PATH#COLUMN`: one document per row, the string column COLUMN.
 *
 * Paths are relative to the working directory. Document ids are
 * `<file relative to the source>#<block, line or row>`, so the document split
 * does not depend on where the folder lives. Bad input (a missing or empty
 * file, a line that is not JSON or lacks the field, a Parquet file without the
 * column) is a UsageError naming the file and the problem.
 * @module
 */
import { basename, dirname, join, relative, resolve } from "node:path";
import { sha256Hex } from "../../util/hash.ts";
import { UsageError } from "../../util/errors.ts";
import type { Document } from "../types.ts";

/** A parsed local source name. */
export type LocalSourceSpec =
  | { kind: "text"; name: string; path: string }
  | { kind: "jsonl"; name: string; path: string; field: string }
  | { kind: "parquet"; name: string; path: string; field: string };

/** One file a local source read, with its SHA-256 (recorded with the corpus and its results). */
export interface LocalFile {
  /** Path relative to the source's root. */
  path: string;
  sha256: string;
  bytes: number;
}

const GLOB = /[*?[]/;

/**
 * Parses a local source name, or returns null for a name that is not one (`brown`, ...).
 * A malformed local name (no path, no field) is a UsageError.
 *
 * @example
 * ```ts
 * parseLocalSource("jsonl:data/val.jsonl#text"); // { kind: "jsonl", path: "data/val.jsonl", field: "text", ... }
 * parseLocalSource("brown"); // null
 * ```
 */
export function parseLocalSource(name: string): LocalSourceSpec | null {
  const m = /^(text|jsonl|parquet):(.+)$/.exec(name);
  if (!m) return null;
  const [, kind, rest] = m;
  if (kind === "text") return { kind, name, path: rest };
  const hash = rest.lastIndexOf("#");
  if (hash <= 0 || hash === rest.length - 1) {
    throw new UsageError(`data source '${name}': expected ${kind}:PATH#${kind === "jsonl" ? "FIELD" : "COLUMN"}`);
  }
  return { kind: kind as "jsonl" | "parquet", name, path: rest.slice(0, hash), field: rest.slice(hash + 1) };
}

/**
 * True for a well-formed local source name (`text:PATH`, `jsonl:PATH#FIELD`, `parquet:PATH#COLUMN`).
 *
 * @example
 * ```ts
 * isLocalSource("text:corpus/"); // true
 * isLocalSource("jsonl:val.jsonl"); // false (no field)
 * ```
 */
export function isLocalSource(name: string): boolean {
  try {
    return parseLocalSource(name) !== null;
  } catch {
    return false;
  }
}

async function statOrThrow(path: string, source: string): Promise<Deno.FileInfo> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`${path}: file not found (data source '${source}')`);
    }
    throw error;
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await walk(path));
    else if (entry.isFile) out.push(path);
  }
  return out;
}

function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        re += ".*";
        i++;
        if (pattern[i + 1] === "/") i++;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += pattern.slice(i, end + 1);
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** The files of a `text:` source, sorted, with the folder ids are relative to. */
async function textFiles(spec: LocalSourceSpec): Promise<{ root: string; files: string[]; perFile: boolean }> {
  if (GLOB.test(spec.path)) {
    const parts = spec.path.split("/");
    const fixed = parts.findIndex((p) => GLOB.test(p));
    const root = parts.slice(0, fixed).join("/") || ".";
    await statOrThrow(root, spec.name);
    const re = globRegExp(parts.slice(fixed).join("/"));
    const files = (await walk(root)).filter((f) => re.test(relative(root, f))).sort();
    if (!files.length) throw new UsageError(`${spec.path}: no files match (data source '${spec.name}')`);
    return { root, files, perFile: true };
  }
  const info = await statOrThrow(spec.path, spec.name);
  if (info.isDirectory) {
    const files = (await walk(spec.path)).sort();
    if (!files.length) throw new UsageError(`${spec.path}: folder holds no files (data source '${spec.name}')`);
    return { root: spec.path, files, perFile: true };
  }
  return { root: dirname(spec.path), files: [spec.path], perFile: false };
}

function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${path}: not UTF-8 text`);
  }
}

async function readFileChecked(path: string, source: string): Promise<Uint8Array> {
  const info = await statOrThrow(path, source);
  if (!info.isFile) throw new UsageError(`${path}: not a file (data source '${source}')`);
  const bytes = await Deno.readFile(path);
  if (bytes.length === 0) throw new UsageError(`${path}: empty file (data source '${source}')`);
  return bytes;
}

function jsonlDocuments(text: string, spec: LocalSourceSpec & { field: string }, file: string): Document[] {
  const docs: Document[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new UsageError(`${spec.path}:${i + 1}: not valid JSON`);
    }
    const value = (row as Record<string, unknown> | null)?.[spec.field];
    if (typeof value !== "string") {
      throw new UsageError(`${spec.path}:${i + 1}: no string field '${spec.field}'`);
    }
    if (value.trim()) docs.push({ id: `${file}#${i + 1}`, text: value });
  });
  return docs;
}

async function parquetDocuments(
  bytes: Uint8Array,
  spec: LocalSourceSpec & { field: string },
  file: string,
): Promise<Document[]> {
  const { parquetMetadata, parquetReadObjects, parquetSchema } = await import("hyparquet");
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let columns: string[];
  try {
    columns = parquetSchema(parquetMetadata(buffer)).children.map((c) => c.element.name);
  } catch (error) {
    throw new UsageError(`${spec.path}: not a valid Parquet file (${(error as Error).message})`);
  }
  if (!columns.includes(spec.field)) {
    throw new UsageError(`${spec.path}: no column '${spec.field}' (columns: ${columns.join(", ")})`);
  }
  const rows = await parquetReadObjects({ file: buffer, columns: [spec.field] });
  const docs: Document[] = [];
  rows.forEach((row, i) => {
    const value = (row as Record<string, unknown>)[spec.field];
    if (value === null || value === undefined) return;
    if (typeof value !== "string") {
      throw new UsageError(`${spec.path}: column '${spec.field}' is not text (row ${i}: ${typeof value})`);
    }
    if (value.trim()) docs.push({ id: `${file}#${i}`, text: value });
  });
  return docs;
}

function sourceFiles(spec: LocalSourceSpec): Promise<{ root: string; files: string[]; perFile: boolean }> {
  if (spec.kind === "text") return textFiles(spec);
  return Promise.resolve({ root: dirname(spec.path), files: [spec.path], perFile: false });
}

/**
 * The files of a local source with their checksums, without parsing them
 * (the corpus cache key: a changed file rebuilds the cache).
 *
 * @example
 * ```ts
 * const files = await localSourceFiles(parseLocalSource("text:corpus/")!);
 * ```
 */
export async function localSourceFiles(spec: LocalSourceSpec): Promise<LocalFile[]> {
  const { root, files } = await sourceFiles(spec);
  const out: LocalFile[] = [];
  for (const file of files) {
    const bytes = await readFileChecked(file, spec.name);
    out.push({ path: relative(root, file) || basename(file), sha256: await sha256Hex(bytes), bytes: bytes.length });
  }
  return out;
}

/**
 * Reads every document of a local source, with the files' checksums.
 *
 * @example
 * ```ts
 * const { docs, files } = await readLocalSource(parseLocalSource("jsonl:val.jsonl#text")!);
 * ```
 */
export async function readLocalSource(spec: LocalSourceSpec): Promise<{ docs: Document[]; files: LocalFile[] }> {
  const { root, files: paths, perFile } = await sourceFiles(spec);
  const docs: Document[] = [];
  const files: LocalFile[] = [];
  for (const path of paths) {
    const bytes = await readFileChecked(path, spec.name);
    const rel = relative(root, path) || basename(path);
    files.push({ path: rel, sha256: await sha256Hex(bytes), bytes: bytes.length });
    if (spec.kind === "parquet") {
      docs.push(...await parquetDocuments(bytes, spec, rel));
      continue;
    }
    const text = decodeUtf8(bytes, path).replace(/\r\n?/g, "\n");
    if (spec.kind === "jsonl") docs.push(...jsonlDocuments(text, spec, rel));
    else if (perFile) {
      if (text.trim()) docs.push({ id: rel, text });
    } else {
      text.split(/\n\s*\n/).forEach((block, i) => {
        if (block.trim()) docs.push({ id: `${rel}#${i}`, text: block.trim() });
      });
    }
  }
  if (!docs.length) throw new UsageError(`data source '${spec.name}': no documents (${resolve(spec.path)})`);
  return { docs, files };
}
