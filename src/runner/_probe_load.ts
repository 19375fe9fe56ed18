/**
 * A load generator for the training probe: trains a configuration's steps in
 * a loop until killed, so that a probe with `--jobs N` measures one job while
 * N − 1 others compete for the cores and memory bandwidth, as in the real run.
 * Run as `deno run -A _probe_load.ts <config.json> <backend> <threads>`; prints `ready` after the
 * probe's warm-up (`_warmup.ts`).
 */
import { join } from "node:path";
import { initBackend } from "../backend/mod.ts";
import { openRunData } from "./_data.ts";
import { openRunModel } from "./_model.ts";
import { stepUntil, WARMUP } from "./_warmup.ts";
import type { ResolvedConfig } from "./plan.ts";

if (import.meta.main) {
  const config = JSON.parse(await Deno.readTextFile(Deno.args[0])) as ResolvedConfig;
  await initBackend((Deno.args[1] ?? "auto") as "auto", { threads: Number(Deno.args[2]) || undefined });
  const data = await openRunData(config);
  const dir = await Deno.makeTempDir({ prefix: "polycom-probe-load-" });
  const { model } = await openRunModel(config, join(dir, "none"));
  await Deno.remove(dir, { recursive: true });
  await stepUntil(model, () => data.nextBatch(), WARMUP);
  console.log("ready");
  // Bounded, in case the parent dies without killing us.
  await stepUntil(model, () => data.nextBatch(), { minSteps: 0, minSeconds: 120, maxSteps: Infinity });
}
