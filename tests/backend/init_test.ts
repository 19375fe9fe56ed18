import assert from "node:assert/strict";
import { defaultGemmThreads } from "../../src/kernels/mod.ts";
import {
  BACKEND_CHOICES,
  chooseAutoBackend,
  initBackend,
  isSoftwareDescription,
  parseBackendChoice,
  tf,
} from "../../src/backend/mod.ts";
import { BackendUnavailableError, UsageError } from "../../src/util/errors.ts";
import type { AdapterFingerprint } from "../../src/backend/mod.ts";
import { NO_WEBGPU } from "../_backend_harness.ts";

function fakeAdapter(isFallback: boolean): AdapterFingerprint {
  return {
    vendor: "test",
    architecture: "",
    device: "0",
    description: isFallback ? "llvmpipe" : "Test GPU",
    isFallback,
    limits: {},
    features: [],
  };
}

Deno.test("cpu backend starts and computes", async () => {
  const info = await initBackend("cpu");
  assert.equal(info.backend, "cpu");
  assert.equal(info.auto, false);
  assert.equal(info.adapter, null);
  assert.equal(info.versions.tfjs, "4.22.0");
  assert.ok(info.cpu.cores >= 1);
  assert.deepEqual(Array.from(await tf.add(tf.ones([2]), 1).data()), [2, 2]);
});

Deno.test("wasm backend starts with SIMD, without tfjs's threads, with heap threads for the fused kernels", async () => {
  const info = await initBackend("wasm");
  assert.equal(info.backend, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.deepEqual(info.wasm, { simd: true, threads: false, heapThreads: defaultGemmThreads() });
  assert.deepEqual(Array.from(await tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).data()), [3, 3, 3, 3]);
});

Deno.test({
  name: `webgpu backend starts on any adapter, software included${NO_WEBGPU ? ` (skipped: ${NO_WEBGPU})` : ""}`,
  ignore: NO_WEBGPU !== null,
  fn: async () => {
    const info = await initBackend("webgpu");
    assert.equal(info.backend, "webgpu");
    assert.ok(info.adapter);
    assert.ok(info.adapter.limits.maxStorageBufferBindingSize > 0);
    assert.deepEqual(Array.from(await tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).data()), [3, 3, 3, 3]);
  },
});

Deno.test("auto picks webgpu only for a real GPU adapter", () => {
  assert.equal(chooseAutoBackend(null), "wasm");
  assert.equal(chooseAutoBackend(fakeAdapter(true)), "wasm");
  assert.equal(chooseAutoBackend(fakeAdapter(false)), "webgpu");
  assert.ok(isSoftwareDescription("llvmpipe (LLVM 15.0.6, 256 bits)"));
  assert.ok(!isSoftwareDescription("NVIDIA H100"));
});

Deno.test("auto falls back to wasm when the adapter is software", async () => {
  const info = await initBackend("auto", { probe: () => Promise.resolve(fakeAdapter(true)) });
  assert.equal(info.backend, "wasm");
  assert.equal(info.auto, true);
});

Deno.test("explicit webgpu without an adapter is an error, not a fallback", async () => {
  await assert.rejects(
    () => initBackend("webgpu", { probe: () => Promise.resolve(null) }),
    (error: unknown) => error instanceof BackendUnavailableError && /webgpu/.test(error.message),
  );
});

Deno.test("unknown backend names are usage errors", () => {
  assert.deepEqual([...BACKEND_CHOICES], ["auto", "webgpu", "wasm", "cpu"]);
  assert.throws(() => parseBackendChoice("tpu"), UsageError);
});
