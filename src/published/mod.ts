/**
 * The paper's published data (copied unchanged into `data/` with its
 * provenance), typed loaders, JSON pointers into it, and the per-experiment
 * reference points the report normalises by.
 *
 * @example
 * ```ts
 * import { loadPublished, paperExperiment } from "./mod.ts";
 * loadPublished().source.title;
 * paperExperiment("moe_1B_active_7B_total").validation.map((p) => p.label);
 * ```
 * @module
 */
export * from "./provenance.ts";
export * from "./pointer.ts";
export * from "./load.ts";
export * from "./experiments.ts";
