/** The gate's JUnit XML on a hand-made result: one case per metric and claim, failures where the gate fails. */
import assert from "node:assert/strict";
import { formatGateJunit, type GateResult, type MetricComparison } from "../../src/gate/mod.ts";

const metric = (activation: string, name: string, status: MetricComparison["status"]): MetricComparison => ({
  activation,
  metric: name,
  baseline: 2,
  current: status === "missing" ? NaN : 2.1,
  delta: status === "missing" ? NaN : 0.1,
  band: 0.05,
  better: "lower",
  status,
});

Deno.test("formatGateJunit: a case per gated metric and claim; regressed, missing and flipped ones fail", () => {
  const result: GateResult = {
    passed: false,
    metrics: [
      metric("polynorm", "finalTrainLoss", "regressed"),
      metric("polynorm", "valLoss.brown", "ok"),
      metric("swiglu", "finalTrainLoss", "missing"),
      metric("swiglu", "valLoss.brown", "improved"),
    ],
    claims: [
      { claim: "loss <gap> & speed", baseline: "reproduced", current: "inconclusive", regressed: true },
      { claim: "moe", baseline: "inconclusive", current: "reproduced", regressed: false },
    ],
    missingRuns: ["swiglu/1"],
  };
  const xml = formatGateJunit(result);
  const cases = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)">(<failure|<system-out)/g)]
    .map(([, cls, name, kind]) => `${cls} ${name} ${kind === "<failure" ? "failed" : "passed"}`);
  assert.deepEqual(cases, [
    "gate.polynorm finalTrainLoss failed",
    "gate.polynorm valLoss.brown passed",
    "gate.swiglu finalTrainLoss failed",
    "gate.swiglu valLoss.brown passed",
    "gate.claims loss &lt;gap&gt; &amp; speed failed",
    "gate.claims moe passed",
  ]);
  assert.match(xml, /<testsuites name="polycom-repro gate" tests="6" failures="3" errors="0">/);
  assert.match(xml, /<testsuite name="gated metrics" tests="4" failures="2"/);
  assert.match(xml, /failure message="regressed: 2.1 against baseline 2 \(change 0.1, band ±0.05, lower is better\)"/);
  assert.doesNotMatch(xml, /<(?!\?xml|\/?testsuites?|\/?testcase|failure|\/?system-out)/, "no stray markup");
});
