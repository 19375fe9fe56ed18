/**
 * What `gpu-check` measures and writes as JSON: its options and its report.
 * @module
 */
import type { AdapterFingerprint } from "../../backend/mod.ts";
import type { GpuCeilings } from "./ceilings.ts";
import type { MatmulRow } from "./matmul.ts";
import type { RungChoice } from "./targets.ts";
import type { TrainingRow } from "./training.ts";

/** Options of `runGpuCheck`. */
export interface GpuCheckOptions {
  /** Accept a software adapter (lavapipe): its numbers say nothing about a GPU's speed. */
  allowSoftware?: boolean;
  /** Square matmul sizes (default 1024 and 4096). */
  sizes?: number[];
  warmupSteps?: number;
  timedSteps?: number;
  /** Dense rungs to train; default: the largest two that fit. `[]` trains train-tiny only. */
  rungs?: string[];
  /** GPU memory the rungs may use, GiB (WebGPU does not tell an adapter's memory). */
  memoryGiB?: number;
  /** Largest estimated seconds a rung's step may take. */
  maxStepSeconds?: number;
  /** Also train the first training target on wasm, for comparison (default true). */
  wasm?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Everything `gpu-check` measured: the JSON it writes. */
export interface GpuCheckReport {
  adapter: AdapterFingerprint;
  software: boolean;
  ceilings: GpuCeilings;
  matmuls: (MatmulRow & { pctOfFma: number })[];
  rungs: RungChoice[];
  training: TrainingRow[];
  settings: Required<Omit<GpuCheckOptions, "log" | "rungs">> & { rungs: string[] | "auto" };
  measuredAt: string;
  seconds: number;
}
