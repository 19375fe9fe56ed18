/**
 * A tiny dense and a tiny MoE suite for tests and first contact: every stage
 * of the pipeline (suite → runner → results → report → gate) in well under two
 * minutes on a CPU. Their numbers say nothing about the paper.
 */
import type { SuiteInput } from "../src/suite/schema.ts";
import dense from "./dense.ts";
import moe from "./moe.ts";

function smokeOf(base: SuiteInput, name: string, activations: SuiteInput["activations"]): SuiteInput {
  const smoke = base.scales.smoke!;
  return {
    ...base,
    name,
    description: `Tiny ${base.family} suite that exercises the whole pipeline in seconds`,
    activations,
    seeds: [0, 1],
    scales: { smoke: { ...smoke, train: { ...smoke.train, seeds: [0, 1] } } },
    // Old scale names land on the only rung, so any `--scale` of the big suites stays tiny here.
    aliases: { cpu: "smoke", gpu: "smoke" },
    manifest: [],
    headline: undefined, // a wiring test: nothing to power
  };
}

const suites: SuiteInput[] = [
  smokeOf(dense, "smoke-dense", ["polynorm", "polyrelu", "swiglu"]),
  smokeOf(moe, "smoke-moe", ["polynorm", "swiglu"]),
];

export default suites;
