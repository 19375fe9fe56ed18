/**
 * From suites to runs: resolve each suite at a scale into one fully specified
 * configuration per activation × seed, with a content-hashed run id.
 * @module
 */
import { join } from "node:path";
import type { CodeVersion, Scale } from "../results/schema.ts";
import type { LoadedSuite } from "../suite/load.ts";
import type { DataConfig, OptimizerConfig, ScaleConfig, Suite, TrainScale } from "../suite/schema.ts";
import { UsageError } from "../util/errors.ts";
import { canonicalJson, sha256Hex } from "../util/hash.ts";
import type { ModelConfig } from "../model/config.ts";
import { modelConfigFor } from "../model/build_config.ts";
import { vocabSizeFor } from "../data/mod.ts";
import { selectShard, type Shard } from "./options.ts";
import { isSuiteRecipe, type RecipeSetting, SUITE_RECIPE } from "../results/recipe.ts";

/** The optimizer after scale overrides, with every derived number spelled out. */
export interface ResolvedOptimizer extends OptimizerConfig {
  initStd: number;
  warmupSteps: number;
  /** Steps of the cosine (≥ the run's steps when the horizon is longer than the run). */
  horizonSteps: number;
  lrMin: number;
}

/** Everything a run depends on; hashed (with the seed and code) into its id. */
export interface ResolvedConfig {
  suite: string;
  experiment: Suite["experiment"];
  family: Suite["family"];
  scale: Scale;
  activation: string;
  baseline: string;
  seed: number;
  model: ModelConfig;
  train: TrainScale & { steps: number; tokensPerStep: number };
  optimizer: ResolvedOptimizer;
  data: DataConfig;
  moe: Suite["moe"] | null;
  /** A recipe sweep's multipliers (results/recipe.ts); absent at the suite's own recipe, which keeps its run ids. */
  recipe?: RecipeSetting;
}

/** One run to execute. */
export interface PlannedRun {
  runId: string;
  /** Where its results go: `<results>/<suite>/<runId>`. */
  dir: string;
  config: ResolvedConfig;
  suitePath: string;
  /** The suite's written scale-down manifest and the scale's notes, for the report. */
  manifest: { entries: Suite["manifest"]; notes: string | null };
  /** The planner's wall-time estimate (training and evaluation), when it made one. */
  estimatedSeconds?: number | null;
}

/**
 * Resolves one suite at one scale for one activation and seed, at a recipe sweep's setting when given: its
 * multipliers scale the peak learning rate (the floor follows through its fraction) and the init std.
 *
 * @example
 * ```ts
 * import { loadSuites } from "../suite/load.ts";
 * const [{ suite }] = await loadSuites("dense");
 * const config = resolveConfig(suite, "120k", "polynorm", 0);
 * config.model.intermediate_size; // 192: 1.5 × the SwiGLU width
 * ```
 */
export function resolveConfig(
  suite: Suite,
  scale: Scale,
  activation: string,
  seed: number,
  setting: RecipeSetting = SUITE_RECIPE,
): ResolvedConfig {
  const scaleConfig = requireScale(suite, scale);
  const dims = scaleConfig.model;
  const train = scaleConfig.train;
  const suiteOptimizer = { ...suite.optimizer, ...scaleConfig.optimizer } as OptimizerConfig;
  const optimizer = { ...suiteOptimizer, lrPeak: suiteOptimizer.lrPeak * setting.lr };
  const data = { ...suite.data, tokenizer: scaleConfig.tokenizer ?? suite.data.tokenizer };
  const tokensPerStep = train.batchSize * train.seqLen;
  const steps = Math.max(1, Math.floor(train.tokens / tokensPerStep));
  const model = modelConfigFor({
    family: suite.family,
    activation,
    hidden: dims.hidden,
    layers: dims.layers,
    heads: dims.heads,
    kvHeads: dims.kvHeads,
    tieEmbeddings: dims.tieEmbeddings,
    gatedWidth: dims.gatedWidth,
    vocab: vocabSizeFor(data.tokenizer),
    maxPositions: train.seqLen,
    qkNorm: dims.qkNorm,
    polyOrder: dims.polyOrder,
    experts: dims.experts,
    topK: dims.topK,
    normTopK: suite.moe?.normTopK,
    loadBalancing: suite.moe?.loadBalancing,
    zLoss: suite.moe?.zLoss,
    initStd: optimizer.initStd ?? undefined,
  });
  model.initializer_range *= setting.init;
  return {
    suite: suite.name,
    experiment: suite.experiment,
    family: suite.family,
    scale,
    activation,
    baseline: suite.baseline,
    seed,
    model,
    train: { ...train, steps, tokensPerStep },
    optimizer: {
      ...optimizer,
      initStd: model.initializer_range,
      warmupSteps: Math.round(optimizer.warmupFraction * steps),
      horizonSteps: Math.max(steps, Math.round(optimizer.cosineHorizon * steps)),
      lrMin: optimizer.lrPeak * optimizer.lrMinFraction,
    },
    data,
    moe: suite.moe ?? null,
    ...(isSuiteRecipe(setting) ? {} : { recipe: { ...setting } }),
  };
}

function requireScale(suite: Suite, scale: Scale): ScaleConfig {
  const config = suite.scales[scale];
  if (!config) {
    const have = [...Object.keys(suite.scales), ...Object.keys(suite.aliases ?? {})].join(", ");
    throw new UsageError(`unknown scale '${scale}' for suite '${suite.name}' (its rungs: ${have})`);
  }
  return config;
}

/**
 * A `--scale` name as a rung of the suite: the rung itself, or the rung an
 * alias (such as the old `cpu` and `gpu` scales) points to, with a notice.
 *
 * @example
 * ```ts
 * import { loadSuites } from "../suite/load.ts";
 * const [{ suite: dense }] = await loadSuites("dense");
 * resolveRung(dense, "cpu"); // { rung: "120k", notice: "dense: scale 'cpu' is now the rung '120k'" }
 * ```
 */
export function resolveRung(suite: Suite, name: string): { rung: Scale; notice: string | null } {
  if (name in suite.scales) return { rung: name, notice: null };
  // A suite derived from another may drop the rung an inherited alias points to: the alias is then unknown.
  const target = suite.aliases?.[name];
  if (target && target in suite.scales) {
    return { rung: target, notice: `${suite.name}: scale '${name}' is now the rung '${target}'` };
  }
  requireScale(suite, name);
  throw new Error("unreachable");
}

/**
 * The run id: a content hash of the resolved config, the seed and the code.
 *
 * @example
 * ```ts
 * import { codeVersion } from "./code_version.ts";
 * declare const config: ResolvedConfig;
 * const id = await runIdOf(config, await codeVersion()); // e.g. "polynorm-s0-3f9a0c2b71d4"
 * ```
 */
export async function runIdOf(config: ResolvedConfig, code: CodeVersion): Promise<string> {
  const hash = await sha256Hex(canonicalJson({ config, seed: config.seed, code: code.sourceHash }));
  return `${config.activation}-s${config.seed}-${hash.slice(0, 12)}`;
}

/** What to run of one suite: rungs (already resolved), and optionally seeds and activations replacing the suite's. */
export interface SuiteChoice {
  rungs: Scale[];
  seeds?: number[];
  activations?: string[];
  /** A recipe sweep's setting (the suite's own recipe when omitted). */
  setting?: RecipeSetting;
}

/** What to plan. */
export interface PlanOptions {
  /** Rungs, seeds and activations per suite. */
  choose: (suite: Suite) => SuiteChoice;
  shard?: Shard;
  resultsDir: string;
  code: CodeVersion;
}

/**
 * The seeds a suite runs at a rung: the given ones, else the rung's, else the suite's.
 *
 * @example
 * ```ts
 * import { loadSuites } from "../suite/load.ts";
 * const [{ suite: dense }] = await loadSuites("dense");
 * seedsAt(dense, "paper"); // [1234]
 * ```
 */
export function seedsAt(suite: Suite, rung: Scale, seeds?: number[]): number[] {
  return seeds ?? requireScale(suite, rung).train.seeds ?? suite.seeds;
}

/**
 * Plans one suite's runs in priority order (rung, seed, activation): a budget
 * that cuts from the end keeps whole seeds of the first activations.
 *
 * @example
 * ```ts
 * import { loadSuites } from "../suite/load.ts";
 * import { codeVersion } from "./code_version.ts";
 * const [loaded] = await loadSuites("dense");
 * const runs = await planSuite(loaded, { rungs: ["smoke"] }, "results", await codeVersion());
 * ```
 */
export async function planSuite(
  { suite, path }: LoadedSuite,
  choice: SuiteChoice,
  resultsDir: string,
  code: CodeVersion,
): Promise<PlannedRun[]> {
  const runs: PlannedRun[] = [];
  for (const rung of choice.rungs) {
    const scaleConfig = requireScale(suite, rung);
    for (const seed of seedsAt(suite, rung, choice.seeds)) {
      for (const activation of choice.activations ?? suite.activations) {
        const config = resolveConfig(suite, rung, activation, seed, choice.setting);
        const runId = await runIdOf(config, code);
        const entries = [...suite.manifest, ...(scaleConfig.manifest ?? [])];
        runs.push({
          runId,
          dir: join(resultsDir, suite.name, runId),
          config,
          suitePath: path,
          manifest: { entries, notes: scaleConfig.notes ?? null },
        });
      }
    }
  }
  return runs;
}

/**
 * Plans every run of the given suites, in a stable order (suite, rung, seed,
 * activation), then keeps this machine's shard.
 *
 * @example
 * ```ts
 * import { loadSuites } from "../suite/load.ts";
 * import { codeVersion } from "./code_version.ts";
 * const code = await codeVersion();
 * const runs = await planRuns(await loadSuites("smoke"), { choose: () => ({ rungs: ["smoke"] }), resultsDir: "results", code });
 * ```
 */
export async function planRuns(suites: LoadedSuite[], options: PlanOptions): Promise<PlannedRun[]> {
  const runs: PlannedRun[] = [];
  for (const loaded of suites) {
    runs.push(...await planSuite(loaded, options.choose(loaded.suite), options.resultsDir, options.code));
  }
  return selectShard(runs, options.shard);
}
