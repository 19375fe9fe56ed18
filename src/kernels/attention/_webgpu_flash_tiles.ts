/**
 * The tiled attention's passes, the shapes they run over, and the tile
 * sizes that fit a device's workgroup memory (`./_webgpu_flash_programs.ts`).
 * @module
 */

/** The three tiled passes. */
export type FlashPass = "forward" | "queries" | "keys";

/** A workgroup's shape: `tile` rows, `lanes` threads a row. */
export interface FlashTiles {
  tile: number;
  lanes: number;
}

/** Most threads a workgroup gets (WebGPU's default `maxComputeInvocationsPerWorkgroup` is 256). */
const GPU_THREADS = 128;

/** Floats of workgroup memory a pass needs at tile t and head dim d. */
function sharedFloats(pass: FlashPass, t: number, d: number): number {
  if (pass === "forward") return 2 * t * d + t * t; // q, k-then-v, scores
  if (pass === "queries") return 4 * t * d + t * t; // q, dO, k, v, ds
  return 4 * t * d + 2 * t * t + 2 * t; // k, v, q, dO, p, ds, lse, D
}

/**
 * The largest tile (a power of two, at most 32; 16 on a software adapter,
 * one CPU thread a workgroup) whose blocks fit `storageBytes` of workgroup
 * memory, and the lanes a row: a GPU gets up to 128 threads a workgroup, a
 * software adapter one thread a row (the rows fill its SIMD lanes).
 *
 * @example
 * ```ts
 * flashTiles("forward", 128, 49152, false); // { tile: 32, lanes: 4 }
 * flashTiles("keys", 128, 16384, false); // { tile: 4, lanes: 32 }
 * ```
 */
export function flashTiles(pass: FlashPass, headDim: number, storageBytes: number, software: boolean): FlashTiles {
  let tile = software ? 16 : 32;
  while (tile > 1 && 4 * sharedFloats(pass, tile, headDim) > storageBytes) tile /= 2;
  if (4 * sharedFloats(pass, tile, headDim) > storageBytes) {
    throw new Error(`flash attention: head dim ${headDim} does not fit ${storageBytes} bytes of workgroup memory`);
  }
  const lanes = software ? 1 : Math.max(1, Math.min(GPU_THREADS / tile, headDim));
  return { tile, lanes };
}

/** The shape of one attention call the tiled passes run over. */
export interface FlashLayout {
  batch: number;
  seq: number;
  /** Query heads. */
  heads: number;
  /** Key/value heads (divides `heads`). */
  kvHeads: number;
  headDim: number;
  /** Whether q and k are rotated inside the passes (RoPE; tables bound as `rope`). */
  rope: boolean;
}
