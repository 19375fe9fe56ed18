/**
 * Reading loosely typed run records: run.json's config, env and manifest are
 * stored as written by older and newer versions, so the report reads them by
 * path and tolerates anything missing.
 * @module
 */

/**
 * The value at a dotted path inside `object`, or undefined when any step is
 * missing or not an object.
 *
 * @example
 * ```ts
 * import { getPath } from "./_path.ts";
 * getPath({ train: { seqLen: 64 } }, "train.seqLen"); // 64
 * getPath({ train: null }, "train.seqLen"); // undefined
 * ```
 */
export function getPath(object: unknown, path: string): unknown {
  let node = object;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
