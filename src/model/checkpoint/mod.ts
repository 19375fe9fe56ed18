/**
 * Checkpoints in the Hugging Face layout (config.json + model.safetensors,
 * optimizer and trainer state alongside), and the safetensors format itself.
 *
 * @example
 * ```ts
 * import { loadCheckpoint, saveCheckpoint } from "./mod.ts";
 * import type { Model } from "../transformer.ts";
 * declare const model: Model;
 * await saveCheckpoint("ckpt", model);
 * const { model: again } = await loadCheckpoint("ckpt");
 * ```
 * @module
 */
export {
  CHECKPOINT_FILES,
  loadCheckpoint,
  type LoadedCheckpoint,
  readCheckpointConfig,
  readModelConfigFile,
  saveCheckpoint,
  type SaveCheckpointOptions,
  writeInitialCheckpoint,
} from "./hf.ts";
export {
  encodeHeader,
  openSafetensors,
  readSafetensors,
  type SafetensorsEntry,
  type SafetensorsFile,
  type TensorShape,
  writeSafetensors,
} from "./safetensors.ts";
