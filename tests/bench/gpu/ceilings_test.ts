import assert from "node:assert/strict";
import { measureCeilings } from "../../../src/bench/gpu/ceilings.ts";
import { NO_WEBGPU } from "../../_backend_harness.ts";

Deno.test({
  name: `adapter ceilings: FMA, copy bandwidth, readback, empty dispatches${
    NO_WEBGPU ? ` (skipped: ${NO_WEBGPU})` : ""
  }`,
  ignore: NO_WEBGPU !== null,
  async fn() {
    const adapter = await navigator.gpu.requestAdapter();
    const device = await adapter!.requestDevice();
    try {
      const c = await measureCeilings(device, { copyBytes: 1 << 20, minMs: 2 });
      for (const [key, value] of Object.entries(c)) assert.ok(Number.isFinite(value) && value > 0, `${key}: ${value}`);
      assert.equal(c.copyBytes, 2 << 20);
    } finally {
      device.destroy();
    }
  },
});
