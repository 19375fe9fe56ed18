/**
 * polycom-repro: a reproducibility and benchmark suite for *Polynomial
 * Composition Activations* (PolyCom, arXiv 2411.03884) in TensorFlow.js.
 *
 * @example
 * ```ts
 * import { initBackend, polyNorm, tf } from "./mod.ts";
 * const info = await initBackend("auto");
 * const y = polyNorm(tf.randomNormal([4, 8]), tf.tensor1d([0, 1 / 3, 1 / 3, 1 / 3]));
 * console.log(info.backend, y.shape);
 * ```
 *
 * @example The whole pipeline on the smoke suite
 * ```ts
 * import { reproduce, writeReports } from "./mod.ts";
 * await reproduce({ suites: ["smoke"], scales: ["smoke"], backend: "wasm", resultsDir: "results", dryRun: false });
 * await writeReports({ resultsDir: "results", outDir: "reports" });
 * ```
 * @module
 */
export * from "./src/backend/mod.ts";
export { BackendUnavailableError, UsageError } from "./src/util/errors.ts";
export * from "./src/activations/mod.ts";
export * from "./src/model/mod.ts";
// The pipeline, stage by stage: suite → runner → results → report → gate.
export { listSuites, loadSuites } from "./src/suite/load.ts";
export type { Suite, SuiteInput } from "./src/suite/schema.ts";
export { reproduce, type ReproduceOptions, type ReproduceSummary } from "./src/runner/reproduce.ts";
export * from "./src/results/mod.ts";
export { writeReports } from "./src/report/mod.ts";
export * from "./src/gate/mod.ts";
export { type GateOptions, runGate } from "./src/gate/run.ts";
export * from "./src/judge/mod.ts";
// The libraries the runner uses.
export * from "./src/data/mod.ts";
export * from "./src/eval/mod.ts";
