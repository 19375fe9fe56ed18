/**
 * JSON pointers (RFC 6901) into the published data, so that the claims
 * registry can name the exact number it quotes and a test can check it.
 * @module
 */

/**
 * Resolves a JSON pointer such as `/results/figure_derived/dense_1B/x`;
 * throws when a segment is missing.
 *
 * @example
 * ```ts
 * resolvePointer({ a: { "b/c": [1, 2] } }, "/a/b~1c/1"); // 2
 * ```
 */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === "") return document;
  if (!pointer.startsWith("/")) throw new Error(`JSON pointer '${pointer}' must start with '/'`);
  let node: unknown = document;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node) && /^\d+$/.test(key) && Number(key) < node.length) node = node[Number(key)];
    else if (node !== null && typeof node === "object" && Object.hasOwn(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else throw new Error(`JSON pointer '${pointer}': no '${key}'`);
  }
  return node;
}

/**
 * Resolves a pointer that must name a finite number.
 *
 * @example
 * ```ts
 * resolveNumber({ a: 2.5 }, "/a"); // 2.5
 * ```
 */
export function resolveNumber(document: unknown, pointer: string): number {
  const value = resolvePointer(document, pointer);
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`JSON pointer '${pointer}' names ${JSON.stringify(value)}, not a number`);
  }
  return value;
}
