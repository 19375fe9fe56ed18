/**
 * Lists the files under `src/` over 400 lines and the functions over 80
 * lines that do not say why they are long: a file's first comment, or a
 * function's first comment inside its body, starting with "Long because".
 * Exits 1 when it lists any (`deno task size`).
 * @module
 */
import { join, relative } from "node:path";
import ts from "typescript";

/** Longest file, in lines. */
export const MAX_FILE_LINES = 400;
/** Longest function, in lines (from its first token to its last). */
export const MAX_FUNCTION_LINES = 80;
const REASON = /^\s*(\/\/|\/\*+|\*)\s*Long because\b/;

/** One file or function over its limit without a stated reason. */
export interface Oversized {
  file: string;
  /** The function's name (`<anonymous>` for unnamed ones); absent for a whole file. */
  fn?: string;
  line: number;
  lines: number;
}

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) tsFiles(path, out);
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** The text of the first comment at or after `pos`, or "" when code comes first. */
function firstComment(text: string, pos: number): string {
  const ranges = ts.getLeadingCommentRanges(text, pos) ?? [];
  return ranges.length ? text.slice(ranges[0].pos, ranges[0].end) : "";
}

function functionName(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))) {
    return parent.name.getText(source);
  }
  return ts.isConstructorDeclaration(node) ? "constructor" : "<anonymous>";
}

function longFunctions(file: string, text: string): Oversized[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Oversized[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const fn = node as ts.FunctionLikeDeclaration;
      const start = lineOf(fn.getStart(source));
      const lines = lineOf(fn.end) - start + 1;
      const body = fn.body!;
      const bodyStart = ts.isBlock(body) ? body.getStart(source) + 1 : body.pos;
      if (lines > MAX_FUNCTION_LINES && !REASON.test(firstComment(text, bodyStart))) {
        found.push({ file, fn: functionName(fn, source), line: start, lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Every file under `<root>/src` over {@linkcode MAX_FILE_LINES} and every
 * function over {@linkcode MAX_FUNCTION_LINES}, without a stated reason.
 *
 * @example
 * ```ts
 * import { oversized } from "./size.ts";
 * for (const o of oversized(".")) console.log(o.file, o.fn ?? "(file)", o.lines);
 * ```
 */
export function oversized(root: string): Oversized[] {
  const found: Oversized[] = [];
  for (const path of tsFiles(join(root, "src")).sort()) {
    const file = relative(root, path);
    const text = Deno.readTextFileSync(path);
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_FILE_LINES && !REASON.test(firstComment(text, 0).split("\n").find((l) => REASON.test(l)) ?? "")) {
      found.push({ file, line: 1, lines });
    }
    found.push(...longFunctions(file, text));
  }
  return found;
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname;
  const found = oversized(root);
  for (const o of found) {
    const limit = o.fn ? MAX_FUNCTION_LINES : MAX_FILE_LINES;
    console.log(`${o.file}:${o.line}${o.fn ? ` ${o.fn}()` : ""}: ${o.lines} lines (limit ${limit})`);
  }
  if (found.length) {
    console.log(`${found.length} over the limits; split them, or start with a comment "Long because …"`);
    Deno.exit(1);
  }
  console.log(`no file over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES} without a reason`);
}
