/**
 * A tiny dense and a tiny MoE suite for tests and first contact: every stage
 * of the pipeline (suite → runner → results → report → gate) in well under two
 * minutes on a CPU. Their numbers say nothing about the paper.
 */
import type { SuiteInput } from "../src/suite/schema.ts";
import dense from "./dense.ts";
import moe from "./moe.ts";

const wiringOnly = [{
  what: "everything",
  paper: "1B active parameters, 200-250B tokens",
  here: "a few thousand parameters, a few thousand tokens",
  kept: false,
  why: "These suites test the machinery, not the paper.",
}];

function smokeOf(base: SuiteInput, name: string, activations: SuiteInput["activations"]): SuiteInput {
  const smoke = base.scales.smoke!;
  const scale = { ...smoke, train: { ...smoke.train, seeds: [0, 1] } };
  return {
    ...base,
    name,
    description: `Tiny ${base.family} suite that exercises the whole pipeline in seconds`,
    activations,
    seeds: [0, 1],
    // The cpu scale is the smoke scale too, so `--scale auto` on a CPU stays tiny.
    scales: { smoke: scale, cpu: scale },
    manifest: wiringOnly,
  };
}

const suites: SuiteInput[] = [
  smokeOf(dense, "smoke-dense", ["polynorm", "polyrelu", "swiglu"]),
  smokeOf(moe, "smoke-moe", ["polynorm", "swiglu"]),
];

export default suites;
