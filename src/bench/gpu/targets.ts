/**
 * Which models `gpu-check` trains: `train-tiny`, and the largest two rungs of
 * the dense ladder whose estimated memory fits the adapter and whose
 * estimated step time stays under a cap (a rung of the paper's size takes
 * minutes a step, so memory alone would not bound the check's run time).
 * @module
 */
import { benchModelConfig, TRAIN_TINY } from "../config.ts";
import { trainFlopsPerStep } from "../flops.ts";
import { loadSuites } from "../../suite/load.ts";
import { resolveConfig } from "../../runner/plan.ts";
import { UsageError } from "../../util/errors.ts";
import { countParameters } from "../../model/mod.ts";
import { estimateTrainingMemory } from "./memory.ts";
import type { TrainingTarget } from "./training.ts";

/** The dense suite's headline arms: every training row runs both. */
export const CHECK_ACTIVATIONS = ["swiglu", "polynorm"] as const;

/** The `train-tiny` targets, one per headline activation. */
export function tinyTargets(): TrainingTarget[] {
  return CHECK_ACTIVATIONS.map((activation) => ({
    name: TRAIN_TINY.name,
    activation,
    model: benchModelConfig(TRAIN_TINY, activation),
    batchSize: TRAIN_TINY.batchSize,
    seqLen: TRAIN_TINY.seqLen,
  }));
}

/** What limits the rungs chosen. */
export interface RungLimits {
  /** GPU memory a step may use, bytes. */
  memoryBytes: number;
  /** The adapter's largest storage buffer binding, bytes. */
  maxBindingBytes: number;
  /** Largest estimated seconds a step may take. */
  maxStepSeconds: number;
  /** FLOP/s a training step is assumed to reach, for the step-time estimate. */
  assumedGflops: number;
}

/** A rung considered, with why it was or was not chosen. */
export interface RungChoice {
  rung: string;
  parameters: number;
  estimatedBytes: number;
  estimatedStepSeconds: number;
  chosen: boolean;
  reason: string;
}

/**
 * The dense ladder's rungs, largest first, each judged against `limits`; at
 * most `count` are chosen, or the named `rungs` when given.
 *
 * @example
 * ```ts
 * const choices = await chooseRungs({ memoryBytes: 16 * 2 ** 30, maxBindingBytes: 2 ** 31, maxStepSeconds: 10, assumedGflops: 5000 }, 2);
 * console.log(choices.filter((c) => c.chosen).map((c) => c.rung));
 * ```
 */
export async function chooseRungs(limits: RungLimits, count: number, rungs?: readonly string[]): Promise<RungChoice[]> {
  const [{ suite }] = await loadSuites("dense");
  const names = Object.keys(suite.scales).filter((name) => name !== "smoke");
  for (const name of rungs ?? []) {
    if (!names.includes(name)) throw new UsageError(`unknown dense rung '${name}' (rungs: ${names.join(", ")})`);
  }
  const judged = names.map((rung) => {
    const config = resolveConfig(suite, rung, "swiglu", 0);
    const memory = estimateTrainingMemory(config.model, config.train.batchSize, config.train.seqLen);
    const flops = trainFlopsPerStep(config.model, config.train.seqLen, config.train.batchSize);
    const stepSeconds = flops / (limits.assumedGflops * 1e9);
    const reason = memory.total > limits.memoryBytes
      ? "estimated memory over the adapter's"
      : memory.largestTensor > limits.maxBindingBytes
      ? "a tensor over the largest storage binding"
      : stepSeconds > limits.maxStepSeconds
      ? `estimated step over ${limits.maxStepSeconds} s`
      : "fits";
    return {
      rung,
      parameters: countParameters(config.model).total,
      estimatedBytes: memory.total,
      estimatedStepSeconds: stepSeconds,
      chosen: false,
      reason,
    };
  }).sort((a, b) => b.parameters - a.parameters);
  let left = count;
  for (const choice of judged) {
    const wanted = rungs ? rungs.includes(choice.rung) : choice.reason === "fits" && left > 0;
    if (wanted) {
      choice.chosen = true;
      left--;
      if (rungs) choice.reason = "named by --rungs";
    }
  }
  return judged;
}

/**
 * The training targets of the chosen rungs, smallest first.
 *
 * @example
 * ```ts
 * const targets = await rungTargets(["120k"]);
 * targets.length; // 2: SwiGLU and PolyNorm
 * ```
 */
export async function rungTargets(rungs: readonly string[]): Promise<TrainingTarget[]> {
  const [{ suite }] = await loadSuites("dense");
  const targets: TrainingTarget[] = [];
  for (const rung of rungs) {
    for (const activation of CHECK_ACTIVATIONS) {
      const config = resolveConfig(suite, rung, activation, 0);
      targets.push({
        name: `dense ${rung}`,
        activation,
        model: config.model,
        batchSize: config.train.batchSize,
        seqLen: config.train.seqLen,
      });
    }
  }
  return targets;
}
