/**
 * TypeScript source reduced to what runs: its tokens, without comments,
 * whitespace or line breaks, so a code hash moves only when the code does.
 * @module
 */
import ts from "typescript";

/** Statements and members that the grammar ends with `;` or, by ASI, at a line break. */
function endsWithSemicolon(node: ts.Node): boolean {
  return ts.isStatement(node) || ts.isClassElement(node) || ts.isTypeElement(node);
}

/**
 * Where the scanner alone cannot tell the token: a `/` that starts a regular
 * expression, a `}` that continues a template literal (only the parser knows),
 * and the ends of statements and members written without a `;` (ASI), where
 * a `;` is put in so that the line breaks that ended them need not be kept.
 */
function parsedPositions(source: ts.SourceFile): { regex: Set<number>; template: Set<number>; asi: number[] } {
  const regex = new Set<number>();
  const template = new Set<number>();
  const asi = new Set<number>();
  const text = source.text;
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) regex.add(node.getStart(source));
    else if (node.kind === ts.SyntaxKind.TemplateMiddle || node.kind === ts.SyntaxKind.TemplateTail) {
      template.add(node.getStart(source));
    }
    if (endsWithSemicolon(node) && text[node.end - 1] !== ";") asi.add(node.end);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { regex, template, asi: [...asi].sort((a, b) => a - b) };
}

const CLOSERS = new Set([
  ts.SyntaxKind.CloseParenToken,
  ts.SyntaxKind.CloseBracketToken,
  ts.SyntaxKind.CloseBraceToken,
]);

/**
 * The tokens of a TypeScript file, one per line: comments, whitespace and
 * line breaks dropped; string quotes, numeric spellings (`1_000`, `1e3`),
 * trailing commas and the choice between `;` and ASI normalised. Two texts
 * that give the same tokens parse to the same program. A file that does not
 * parse still gives its tokens (the hash then moves with any token).
 *
 * @example
 * ```ts
 * import { codeTokens } from "./code_tokens.ts";
 * const a = codeTokens("const x = 'a' // note\n", "a.ts");
 * const b = codeTokens('/** doc *\/\nconst x = "a";', "a.ts");
 * console.log(a === b); // true
 * ```
 */
export function codeTokens(text: string, fileName: string): string {
  const options = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };
  const source = ts.createSourceFile(fileName, text, options, false, ts.ScriptKind.TS);
  const { regex, template, asi } = parsedPositions(source);
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const out: string[] = [];
  let nextAsi = 0;
  let pendingComma = false;
  const emit = (kind: ts.SyntaxKind, value: string): void => {
    // A trailing comma before a closer means nothing (an elision `[,]` or `[a,,]` keeps its comma).
    const previous = out[out.length - 1];
    if (pendingComma && !(CLOSERS.has(kind) && previous !== "," && previous !== "[")) out.push(",");
    pendingComma = false;
    if (kind === ts.SyntaxKind.CommaToken) pendingComma = true;
    else out.push(value);
  };
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const start = scanner.getTokenStart();
    for (; nextAsi < asi.length && asi[nextAsi] <= start; nextAsi++) emit(ts.SyntaxKind.SemicolonToken, ";");
    if ((kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) && regex.has(start)) {
      kind = scanner.reScanSlashToken();
    } else if (kind === ts.SyntaxKind.CloseBraceToken && template.has(start)) {
      kind = scanner.reScanTemplateToken(false);
    }
    if (kind === ts.SyntaxKind.StringLiteral) emit(kind, JSON.stringify(scanner.getTokenValue()));
    else if (kind === ts.SyntaxKind.NumericLiteral) emit(kind, String(Number(scanner.getTokenValue())));
    else emit(kind, scanner.getTokenText());
  }
  for (; nextAsi < asi.length; nextAsi++) emit(ts.SyntaxKind.SemicolonToken, ";");
  emit(ts.SyntaxKind.EndOfFileToken, "");
  return out.join("\n");
}
