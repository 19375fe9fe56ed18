import assert from "node:assert/strict";
import { join } from "node:path";
import { addGpuCheckCommand } from "../../../src/cli/commands/gpu_check.ts";
import { probeWebGPU } from "../../../src/backend/mod.ts";
import { runCommands } from "../../_cli.ts";
import { NO_WEBGPU } from "../../_backend_harness.ts";

const adapter = await probeWebGPU();
const skip = NO_WEBGPU ?? (adapter?.isFallback ? null : "the adapter is a GPU: these tests exercise the software path");
const suffix = skip ? ` (skipped: ${skip})` : "";

Deno.test({
  name: `gpu-check refuses a software adapter without --allow-software${suffix}`,
  ignore: skip !== null,
  async fn() {
    const r = await runCommands([addGpuCheckCommand], ["gpu-check", "--rungs", "none"]);
    assert.equal(r.code, 2);
    assert.match(r.failure!.join("\n"), /software one .*--allow-software/);
  },
});

Deno.test({
  name: `gpu-check --allow-software prints every field and writes them as JSON${suffix}`,
  ignore: skip !== null,
  async fn() {
    const dir = await Deno.makeTempDir();
    const out = join(dir, "gpu-check.json");
    try {
      const args = ["gpu-check", "--allow-software", "--sizes", "64", "--rungs", "none", "--warmup-steps", "0"];
      const r = await runCommands([addGpuCheckCommand], [...args, "--timed-steps", "1", "--no-wasm", "--out", out]);
      assert.equal(r.code, 0, r.failure?.join("\n") ?? "");
      const text = r.out.join("\n");
      for (
        const field of [
          "SOFTWARE ADAPTER",
          "fp32 FMA throughput",
          "copy bandwidth",
          "one host readback",
          "1,000 empty dispatches",
          "64²",
          "dW = Xᵀ·dY",
          "dense rung",
          "dispatches/step",
          "readbacks/step",
          "peak GPU MiB",
        ]
      ) assert.ok(text.includes(field), `missing '${field}' in:\n${text}`);
      const report = JSON.parse(await Deno.readTextFile(out));
      assert.equal(report.software, true);
      assert.deepEqual(report.training.map((t: { activation: string }) => t.activation), ["swiglu", "polynorm"]);
      for (const row of report.training) {
        assert.ok(row.dispatchesPerStep > 0 && row.peakGpuBytes > 0 && row.readbacksPerStep >= 0, JSON.stringify(row));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
