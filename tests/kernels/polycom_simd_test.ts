import assert from "node:assert/strict";
import { assemblePolycomSimd } from "../../src/kernels/polycom/_simd_build.ts";
import { POLYCOM_SIMD_BASE64 } from "../../src/kernels/polycom/_simd_wasm.ts";

Deno.test("the embedded SIMD module is the assembled _simd_wat.ts (rerun _simd_build.ts after editing it)", async () => {
  const bytes = await assemblePolycomSimd();
  assert.ok(WebAssembly.validate(bytes));
  const embedded = Uint8Array.from(atob(POLYCOM_SIMD_BASE64), (c) => c.charCodeAt(0));
  assert.deepEqual(embedded, bytes);
});
