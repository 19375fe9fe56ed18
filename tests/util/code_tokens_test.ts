import assert from "node:assert/strict";
import { codeTokens } from "../../src/util/code_tokens.ts";

function same(a: string, b: string): boolean {
  return codeTokens(a, "a.ts") === codeTokens(b, "a.ts");
}

Deno.test("comments, line breaks, quotes, number spellings, trailing commas and ASI do not change the tokens", () => {
  assert.ok(same("const x = 'a' // note\n", '/** doc */\nconst x = "a";'));
  assert.ok(same("f(a, b);", "f(\n  a,\n  b,\n);"));
  assert.ok(same("x = 1_000", "x = 1e3;"));
  assert.ok(same("if (x) a = 1\nb()", "if (x) a = 1;\nb();"));
  assert.ok(same("a = b / c / d", "a = b / c /\n  d; // x"));
  assert.ok(same("const t = `a${b}c${d}e`", "const t = `a${\n  b\n}c${d /* d */}e`;"));
});

Deno.test("what runs changes the tokens, inside regular expressions and templates too", () => {
  assert.ok(!same("x = 1", "x = 2"));
  // A regex holding `//` and a quote: read as a comment or a string, the edit after it would be lost.
  assert.ok(!same('const r = /\\/\\/a"/g; x = 1;', 'const r = /\\/\\/a"/g; x = 2;'));
  assert.ok(
    !same("const t = `a${b}c${ {a: 1} }e // ${'`'}`; x = 1", "const t = `a${b}c${ {a: 1} }e // ${'`'}`; x = 2"),
  );
  assert.ok(!same("const t = `a // b`; x = 1", "const t = `a // b`; x = 2"));
  assert.ok(!same("const s = 'a /* b'; x = 1; // */", "const s = 'a /* b'; x = 2; // */"));
  // Line breaks the grammar reads (ASI): `return` on its own line returns nothing.
  assert.ok(!same("function f() { return\n  a + b }", "function f() { return a + b }"));
  assert.ok(!same("declare\nconst x = 1", "declare const x = 1"));
  assert.ok(!same("a\n++b", "a++\nb"));
  // An elision is not a trailing comma.
  assert.ok(!same("const a = [1,,]", "const a = [1,]"));
});
