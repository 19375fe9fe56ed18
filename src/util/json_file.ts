/**
 * Reading a user-named JSON file, with the failures a user can cause
 * (missing file, a directory, broken JSON) reported as one-line UsageErrors.
 * @module
 */
import { UsageError } from "./errors.ts";

/**
 * Reads and parses a JSON file. A missing path, a directory, or text that is
 * not JSON raises a UsageError naming `path`; other I/O errors pass through
 * unchanged, since they are not the user's input mistake.
 *
 * @param path file to read
 * @param what what the file should be, for the directory message ("tokens file" → "is a directory, not a tokens file")
 * @returns the parsed value, unvalidated
 *
 * @example
 * ```ts
 * import { readJsonFile } from "./json_file.ts";
 * const json = await readJsonFile("configs/tiny.json", "config file");
 * ```
 */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new UsageError(`${path}: file not found`);
    if (error instanceof Deno.errors.IsADirectory) throw new UsageError(`${path}: is a directory, not a ${what}`);
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}
