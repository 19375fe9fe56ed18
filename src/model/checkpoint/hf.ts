/**
 * Checkpoints in the Hugging Face layout:
 *
 * - `config.json`: the model config (HF keys);
 * - `model.safetensors`: float32 weights by HF name, PyTorch layouts (`[out, in]`);
 * - `optimizer.safetensors` (optional): AdamW moments `exp_avg.<name>` and
 *   `exp_avg_sq.<name>` in the same layouts, step count in the metadata;
 * - `trainer_state.json` (optional): the caller's JSON (step, data position, rng, ...).
 *
 * - `configuration_polycom.py`, `modeling_polycom.py`: for every model stock
 *   transformers lacks, our PyTorch modelling code (copied from remote_code/,
 *   referenced by config.json's `auto_map`; load with `trust_remote_code=True`).
 *
 * A dense SwiGLU checkpoint is a Llama checkpoint and a MoE SwiGLU one with
 * QK-norm an OLMoE checkpoint for Hugging Face transformers; tied embeddings
 * have no `lm_head.weight`, as transformers writes them. Weights that are NaN
 * or infinite are rejected on load, naming the tensor. The directory is
 * replaced atomically, so a killed process leaves the old checkpoint or the
 * new one, never a mix.
 * @module
 */
import { join } from "node:path";
import { replaceDirAtomic } from "../../util/atomic.ts";
import { UsageError } from "../../util/errors.ts";
import { readJsonFile } from "../../util/json_file.ts";
import { type ModelConfig, parseModelConfig } from "../config.ts";
import { hfConfigJson, REMOTE_CODE } from "../config_json.ts";
import { initialValue } from "../init.ts";
import type { OptimizerState } from "../optim/adamw.ts";
import { type ParameterSpec, parameterSpecs } from "../parameters.ts";
import { Model } from "../transformer.ts";
import { openSafetensors, writeSafetensors } from "./safetensors.ts";

/**
 * File names inside a checkpoint directory.
 *
 * @example
 * ```ts
 * import { join } from "node:path";
 * join("ckpt", CHECKPOINT_FILES.model); // ckpt/model.safetensors
 * ```
 */
export const CHECKPOINT_FILES = {
  config: "config.json",
  model: "model.safetensors",
  optimizer: "optimizer.safetensors",
  trainerState: "trainer_state.json",
} as const;

/** Buffers that PyTorch checkpoints may carry and that are recomputed here. */
const IGNORED_TENSOR = /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/;

/** What to save besides the weights. */
export interface SaveCheckpointOptions {
  optimizerState?: OptimizerState;
  /** Any JSON value (the runner's step, data position, rng state, timings). */
  trainerState?: unknown;
  /** More JSON files to write inside the checkpoint (name → value), e.g. the run's `tokenizer.json`. */
  extraFiles?: Record<string, unknown>;
}

/** A loaded checkpoint. */
export interface LoadedCheckpoint {
  config: ModelConfig;
  model: Model;
  optimizerState: OptimizerState | null;
  trainerState: unknown | null;
}

/** Writes config.json and, for models stock transformers lacks, our modelling code next to it. */
async function writeConfig(dir: string, config: ModelConfig): Promise<void> {
  const json = hfConfigJson(config);
  await Deno.writeTextFile(join(dir, CHECKPOINT_FILES.config), JSON.stringify(json, null, 2) + "\n");
  if (!json.auto_map) return;
  for (const file of REMOTE_CODE.files) {
    await Deno.copyFile(new URL(`./remote_code/${file}`, import.meta.url), join(dir, file));
  }
}

async function writeOptimizer(dir: string, specs: readonly ParameterSpec[], state: OptimizerState): Promise<void> {
  const tensors = specs.flatMap((s) => [
    { name: `exp_avg.${s.name}`, shape: s.shape },
    { name: `exp_avg_sq.${s.name}`, shape: s.shape },
  ]);
  await writeSafetensors(join(dir, CHECKPOINT_FILES.optimizer), tensors, (name) => {
    const [kind, ...rest] = name.split(".");
    const key = rest.join(".");
    const data = (kind === "exp_avg" ? state.expAvg : state.expAvgSq).get(key);
    if (!data) throw new Error(`optimizer state has no ${kind} for ${key}`);
    return data;
  }, { format: "polycom-adamw", step: String(state.step) });
}

/**
 * Saves a model (and optionally optimizer and trainer state) to `dir`, atomically.
 *
 * @example
 * ```ts
 * import type { Trainer } from "../train_step.ts";
 * import type { Model } from "../transformer.ts";
 * declare const model: Model;
 * declare const trainer: Trainer;
 * await saveCheckpoint("results/run/checkpoint", model, {
 *   optimizerState: await trainer.exportState(),
 *   trainerState: { step: 100, dataPosition: 12800 },
 * });
 * ```
 */
export async function saveCheckpoint(dir: string, model: Model, options: SaveCheckpointOptions = {}): Promise<void> {
  const byName = new Map(model.specs.map((s) => [s.name, s]));
  await replaceDirAtomic(dir, async (staging) => {
    await writeConfig(staging, model.config);
    await writeSafetensors(
      join(staging, CHECKPOINT_FILES.model),
      model.specs,
      (name) => model.exportWeight(byName.get(name)!),
      { format: "pt" },
    );
    if (options.optimizerState) await writeOptimizer(staging, model.specs, options.optimizerState);
    if (options.trainerState !== undefined) {
      await Deno.writeTextFile(
        join(staging, CHECKPOINT_FILES.trainerState),
        JSON.stringify(options.trainerState, null, 2) + "\n",
      );
    }
    for (const [name, value] of Object.entries(options.extraFiles ?? {})) {
      await Deno.writeTextFile(join(staging, name), JSON.stringify(value, null, 2) + "\n");
    }
  });
}

/**
 * Writes a freshly initialised checkpoint without building the model: each
 * parameter is generated and written in turn, so the paper's configs need
 * only one parameter's memory. Identical to `saveCheckpoint(dir, createModel(config, seed))`.
 *
 * @example
 * ```ts
 * import { PAPER_DENSE_1B } from "../build_config.ts";
 * await writeInitialCheckpoint("ckpt", PAPER_DENSE_1B("polynorm"), 1234);
 * ```
 */
export async function writeInitialCheckpoint(dir: string, config: ModelConfig, seed: number): Promise<void> {
  const specs = parameterSpecs(config);
  const byName = new Map(specs.map((s) => [s.name, s]));
  await replaceDirAtomic(dir, async (staging) => {
    await writeConfig(staging, config);
    await writeSafetensors(
      join(staging, CHECKPOINT_FILES.model),
      specs,
      (name) => initialValue(config, byName.get(name)!, seed),
      { format: "pt" },
    );
  });
}

/**
 * Reads and validates a config.json file (any path).
 *
 * @example
 * ```ts
 * const config = await readModelConfigFile("configs/tiny.json");
 * ```
 */
export async function readModelConfigFile(path: string): Promise<ModelConfig> {
  const json = await readJsonFile(path, "config file");
  return parseModelConfig(json, path);
}

/**
 * Reads and validates a checkpoint's config.json.
 *
 * @example
 * ```ts
 * const config = await readCheckpointConfig("ckpt");
 * ```
 */
export async function readCheckpointConfig(dir: string): Promise<ModelConfig> {
  const path = join(dir, CHECKPOINT_FILES.config);
  try {
    await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      throw new UsageError(`${dir}: not a checkpoint directory (no ${CHECKPOINT_FILES.config})`);
    }
    throw error;
  }
  return readModelConfigFile(path);
}

/** Index of the first NaN or ±Infinity, or -1. */
function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

async function readWeights(path: string, specs: readonly ParameterSpec[]): Promise<Map<string, Float32Array>> {
  const st = await openSafetensors(path);
  try {
    const expected = new Map(specs.map((s) => [s.name, s]));
    const unexpected = [...st.entries.keys()].filter((n) => !expected.has(n) && !IGNORED_TENSOR.test(n));
    const missing = specs.filter((s) => !st.entries.has(s.name)).map((s) => s.name);
    const list = (names: string[]) =>
      names.slice(0, 5).join(", ") + (names.length > 5 ? `, ... (${names.length})` : "");
    if (missing.length) throw new UsageError(`${path}: missing tensors for this config: ${list(missing)}`);
    if (unexpected.length) throw new UsageError(`${path}: tensors this config does not have: ${list(unexpected)}`);
    const out = new Map<string, Float32Array>();
    for (const spec of specs) {
      const shape = st.entries.get(spec.name)!.shape;
      if (shape.length !== spec.shape.length || shape.some((d, i) => d !== spec.shape[i])) {
        throw new UsageError(`${path}: ${spec.name} has shape [${shape}], the config needs [${spec.shape}]`);
      }
      const data = await st.read(spec.name);
      const bad = firstNonFinite(data);
      if (bad >= 0) {
        throw new UsageError(`${path}: ${spec.name} holds a non-finite weight (${data[bad]} at index ${bad})`);
      }
      out.set(spec.name, data);
    }
    return out;
  } finally {
    st.close();
  }
}

async function readOptimizer(path: string, specs: readonly ParameterSpec[]): Promise<OptimizerState> {
  const st = await openSafetensors(path);
  try {
    const step = Number(st.metadata.step);
    if (st.metadata.format !== "polycom-adamw" || !Number.isInteger(step) || step < 0) {
      throw new UsageError(`${path}: not an optimizer state written by this project (metadata format/step)`);
    }
    const expAvg = new Map<string, Float32Array>();
    const expAvgSq = new Map<string, Float32Array>();
    for (const spec of specs) {
      for (const [kind, target] of [["exp_avg", expAvg], ["exp_avg_sq", expAvgSq]] as const) {
        const name = `${kind}.${spec.name}`;
        const entry = st.entries.get(name);
        if (!entry) throw new UsageError(`${path}: missing ${name}`);
        if (entry.shape.join("x") !== spec.shape.join("x")) {
          throw new UsageError(`${path}: ${name} has the wrong shape`);
        }
        target.set(spec.name, await st.read(name));
      }
    }
    return { step, expAvg, expAvgSq };
  } finally {
    st.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Loads a checkpoint: config, model (on the active backend), and the optimizer
 * and trainer state when present. Malformed files raise UsageErrors naming them.
 *
 * @example
 * ```ts
 * const { model, optimizerState, trainerState } = await loadCheckpoint("results/run/checkpoint");
 * ```
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const config = await readCheckpointConfig(dir);
  const specs = parameterSpecs(config);
  const weights = await readWeights(join(dir, CHECKPOINT_FILES.model), specs);
  const optimizerPath = join(dir, CHECKPOINT_FILES.optimizer);
  const optimizerState = (await exists(optimizerPath)) ? await readOptimizer(optimizerPath, specs) : null;
  const statePath = join(dir, CHECKPOINT_FILES.trainerState);
  let trainerState: unknown | null = null;
  if (await exists(statePath)) {
    try {
      trainerState = JSON.parse(await Deno.readTextFile(statePath));
    } catch (error) {
      throw new UsageError(`${statePath}: not valid JSON (${(error as Error).message})`);
    }
  }
  const model = new Model(config, (spec) => {
    const data = weights.get(spec.name)!;
    weights.delete(spec.name);
    return data;
  });
  return { config, model, optimizerState, trainerState };
}
