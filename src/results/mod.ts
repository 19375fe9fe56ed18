/**
 * Result files: schemas and I/O shared by the runner, the report and the gate.
 *
 * @example
 * ```ts
 * import { loadRuns } from "./mod.ts";
 * const runs = await loadRuns("results");
 * ```
 * @module
 */
export * from "./schema.ts";
export * from "./io.ts";
export * from "./summary.ts";
export * from "./plan.ts";
export * from "./check.ts";
export * from "./recipe.ts";
