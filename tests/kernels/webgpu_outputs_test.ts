import assert from "node:assert/strict";
import { writableBindings } from "../../src/kernels/fused/mod.ts";

const SHADER = `
  @group(0) @binding(0) var<storage, read_write> result: array<f32>;
  @group(0) @binding(1) var<storage, read> mOut: array<vec4<f32>>;
  @group(0) @binding(2) var<storage, read> m: array<vec4<f32>>;
  @group(0) @binding(3) var<storage, read> mOutExtra: array<f32>;`;

Deno.test("writableBindings makes exactly the named bindings read_write", () => {
  const out = writableBindings(SHADER, ["mOut"]);
  assert.match(out, /var<storage, read_write> mOut: array<vec4<f32>>;/);
  assert.match(out, /var<storage, read> m: array<vec4<f32>>;/);
  assert.match(out, /var<storage, read> mOutExtra: array<f32>;/);
});

Deno.test("writableBindings names a binding the shader does not declare read-only", () => {
  assert.throws(() => writableBindings(SHADER, ["vOut"]), /no read-only binding 'vOut' in the shader/);
  assert.throws(() => writableBindings(SHADER, ["result"]), /no read-only binding 'result'/);
});
