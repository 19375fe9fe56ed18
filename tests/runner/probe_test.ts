import assert from "node:assert/strict";
import { MAX_POSITIONS_PER_BATCH } from "../../src/model/mod.ts";
import { estimateSeconds, evaluationsOf, probeValTokens, RUN_OVERHEAD_SECONDS } from "../../src/runner/probe.ts";
import { resolveConfig, resolveRung } from "../../src/runner/plan.ts";
import { loadSuites } from "../../src/suite/load.ts";

Deno.test("estimateSeconds: validation at every evaluation, the tasks at the final one only (as the runner does)", async () => {
  const [{ suite }] = await loadSuites("dense");
  const c = resolveConfig(suite, resolveRung(suite, "860k").rung, "polynorm", 0);
  assert.equal(evaluationsOf(c), 5, "step 0 and every 200 of 800 steps");
  const probe = {
    secondsPerStep: 0.5,
    secondsPerValToken: 1e-4,
    secondsPerTaskItem: 0.01,
    setupSeconds: 2,
    measuredAt: "",
  };
  const expected = RUN_OVERHEAD_SECONDS + 2 + 800 * 0.5 + 5 * c.train.valTokens * 1e-4 + c.train.taskItems * 0.01;
  assert.equal(estimateSeconds(c, probe), expected);
});

Deno.test("probeValTokens: the windows of one full forward pass of the scorer, never more than the run scores", async () => {
  const [{ suite }] = await loadSuites("dense");
  const c = resolveConfig(suite, resolveRung(suite, "860k").rung, "polynorm", 0);
  const { seqLen } = c.train;
  const tokens = probeValTokens(c);
  const windows = tokens / (seqLen - 1);
  assert.ok(Number.isInteger(windows), "whole windows");
  assert.ok(windows * seqLen <= MAX_POSITIONS_PER_BATCH && (windows + 1) * seqLen > MAX_POSITIONS_PER_BATCH);
  const small = { ...c, train: { ...c.train, valTokens: 100 } };
  assert.equal(probeValTokens(small), 100);
});
