/**
 * Writes realistic result directories (the real run.json / metrics.jsonl /
 * eval.jsonl schemas) for report tests: several activations × seeds, paired
 * by seed, with known effects so tests can say what a report must conclude.
 * @module
 */
import { join } from "node:path";
import {
  type EvalRow,
  type MetricsRow,
  RUN_FILES,
  RUN_SCHEMA,
  type RunRecord,
  type Scale,
} from "../../src/results/mod.ts";
import { writeJsonl, writeRunRecord } from "../../src/results/io.ts";
import { Rng } from "../../src/util/rng.ts";

/** What to generate. */
export interface FixtureOptions {
  /** Results root; runs go to `<root>/<suite>/<activation>-s<seed>-fixture`. */
  root: string;
  suite?: string;
  experiment?: "dense_1B" | "moe_1B_active_7B_total";
  scale?: Scale;
  /** Activation → its final-loss offset from the baseline (negative = better). */
  effects: Record<string, number>;
  seeds: number[];
  steps?: number;
  tokensPerStep?: number;
  evalEvery?: number;
  /** Shift of a seed's whole curve, shared by every activation (what pairing removes). */
  seedNoise?: number;
  /** Independent shift of each run. */
  runNoise?: number;
  /** Step-to-step noise of the training loss. */
  stepNoise?: number;
  /** Runs to leave out entirely, as "activation/seed". */
  omit?: string[];
  /** Runs with another status, as "activation/seed" → status. */
  status?: Record<string, RunRecord["status"]>;
  /** Validation sources and their loss offsets. */
  sources?: Record<string, number>;
  /** Fixed per-source effect overrides: activation → source → extra offset. */
  sourceEffects?: Record<string, Record<string, number>>;
  withManifest?: boolean;
  seedBase?: number;
  /** Total parameters written to each run.json (a rung's model size; default 120000). */
  parameters?: number;
  /** Last part of run ids and folders (default `fixture`); distinct tags let several scales share a suite. */
  tag?: string;
}

/** The generated data of one run, for tests to recompute from. */
export interface FixtureRun {
  activation: string;
  seed: number;
  dir: string;
  record: RunRecord;
  metrics: MetricsRow[];
  evals: EvalRow[];
}

const POLYCOM = new Set(["polynorm", "polyrelu"]);

/**
 * Generates and writes the runs; returns what was written.
 *
 * @example
 * ```ts
 * const runs = await writeFixtureSuite({ root: dir, effects: { swiglu: 0, polynorm: -0.05 }, seeds: [0, 1, 2] });
 * ```
 */
export async function writeFixtureSuite(options: FixtureOptions): Promise<FixtureRun[]> {
  const suite = options.suite ?? "fixture-dense";
  const experiment = options.experiment ?? "dense_1B";
  const scale = options.scale ?? "cpu";
  const steps = options.steps ?? 200;
  const tokensPerStep = options.tokensPerStep ?? 1024;
  const evalEvery = options.evalEvery ?? 25;
  const sources = options.sources ?? { brown: 0.12, "nlp-corpus": 0.3 };
  const base = options.seedBase ?? 1000;
  const written: FixtureRun[] = [];
  for (const seed of options.seeds) {
    const seedShift = (options.seedNoise ?? 0.02) * Rng.derive(base + seed, "seed").normal();
    for (const [activation, effect] of Object.entries(options.effects)) {
      const key = `${activation}/${seed}`;
      if (options.omit?.includes(key)) continue;
      const rng = Rng.derive(base + seed, activation);
      const runShift = (options.runNoise ?? 0.003) * rng.normal();
      const total = steps * tokensPerStep;
      const curve = (step: number) => {
        const f = step / steps;
        // A power law towards an irreducible loss; the effect grows in as training goes.
        return 1.5 + 0.6 * (f + 0.02) ** -0.5 + (effect + seedShift + runShift) * Math.min(1, 0.2 + f);
      };
      const status = options.status?.[key] ?? "finished";
      const lastStep = status === "running"
        ? Math.floor(steps / 2)
        : status === "diverged"
        ? Math.floor(steps * 0.6)
        : steps;
      const metrics: MetricsRow[] = [];
      const evals: EvalRow[] = [];
      const coefficients = [[0, 1 / 3, 1 / 3, 1 / 3], [0, 1 / 3, 1 / 3, 1 / 3]];
      const evaluate = (step: number) => {
        const loss = curve(step);
        const row: EvalRow = { step, tokens: step * tokensPerStep, sources: {}, tasks: {} };
        for (const [name, offset] of Object.entries(sources)) {
          const extra = options.sourceEffects?.[activation]?.[name] ?? 0;
          const l = loss + offset + extra + 0.002 * rng.normal();
          row.sources[name] = {
            loss: l,
            ppl: Math.exp(l),
            bitsPerByte: l / Math.LN2,
            accuracy: 0.2 + 0.05 * (6 - l),
            tokens: 4096,
          };
        }
        const progress = step / steps;
        const accOf = (base: number) =>
          Math.round(100 * Math.min(1, Math.max(0, base + 0.15 * progress - 2 * effect + 0.01 * rng.normal()))) / 100;
        // mc4 ends above its chance level, lastword4 at it whatever the activation: the report must tell them apart.
        row.tasks.mc4 = {
          acc: accOf(0.25),
          accNorm: accOf(0.26),
          n: 100,
          itemsChecksum: "mc4-fixture-0001",
          chance: 0.25,
        };
        const lastword = Math.round(100 * (0.25 + 0.01 * rng.normal())) / 100;
        row.tasks.lastword4 = {
          acc: lastword,
          accNorm: lastword,
          n: 100,
          itemsChecksum: "lastword4-fixture-0001",
          chance: 0.25,
        };
        evals.push(row);
      };
      evaluate(0);
      for (let step = 1; step <= lastStep; step++) {
        const ce = curve(step) + (options.stepNoise ?? 0.01) * rng.normal();
        const row: MetricsRow = {
          step,
          tokens: step * tokensPerStep,
          loss: status === "diverged" && step === lastStep ? NaN : ce,
          ce: status === "diverged" && step === lastStep ? NaN : ce,
          aux: experiment === "moe_1B_active_7B_total" ? 0.011 : 0,
          lr: 3e-3 * Math.min(1, step / 10) * (0.55 + 0.45 * Math.cos((Math.PI * step) / steps)),
          gradNorm: 0.5 + 0.1 * rng.next(),
          tokensPerSecond: (POLYCOM.has(activation) ? 1800 : 2000) * (1 + 0.05 * rng.normal()),
        };
        if (POLYCOM.has(activation)) {
          for (const layer of coefficients) {
            for (let i = 0; i < layer.length; i++) {
              layer[i] += 0.001 * (i === 3 ? 1 : i === 0 ? 0.2 : -0.3) + 0.0002 * rng.normal();
            }
          }
          row.coefficients = coefficients.map((l) => [...l]);
        }
        metrics.push(row);
        if (step % evalEvery === 0 && step !== lastStep && status !== "diverged") evaluate(step);
      }
      if (status === "finished") evaluate(lastStep);
      const dir = join(options.root, suite, `${activation}-s${seed}-${options.tag ?? "fixture"}`);
      await Deno.mkdir(dir, { recursive: true });
      const record = recordFor({
        suite,
        experiment,
        scale,
        activation,
        seed,
        steps,
        tokensPerStep,
        lastStep,
        status,
        total,
        parameters: options.parameters ?? 120000,
        tag: options.tag ?? "fixture",
      });
      if (options.withManifest) {
        record.config.manifest = {
          entries: [
            { what: "parameter matching", paper: "5504 vs 8256", here: "w vs 1.5 w", kept: true, why: "fairness" },
            { what: "tokens per parameter", paper: "≈185", here: "≈6", kept: false, why: "a 2-core CPU" },
          ],
          notes: "Fixture scale for tests.",
        };
      }
      await writeRunRecord(dir, record);
      // JSON has no NaN: a diverged row is written as the runner writes it (null), then read back as invalid.
      await writeJsonl(join(dir, RUN_FILES.metrics), status === "diverged" ? metrics.slice(0, -1) : metrics);
      await writeJsonl(join(dir, RUN_FILES.evals), evals);
      written.push({
        activation,
        seed,
        dir,
        record,
        metrics: status === "diverged" ? metrics.slice(0, -1) : metrics,
        evals,
      });
    }
  }
  return written;
}

function recordFor(o: {
  suite: string;
  experiment: string;
  scale: Scale;
  activation: string;
  seed: number;
  steps: number;
  tokensPerStep: number;
  lastStep: number;
  status: RunRecord["status"];
  total: number;
  parameters: number;
  tag: string;
}): RunRecord {
  const gated = o.activation === "swiglu";
  const trainSeconds = (o.lastStep * o.tokensPerStep) / (POLYCOM.has(o.activation) ? 1800 : 2000);
  return {
    schema: RUN_SCHEMA,
    runId: `${o.activation}-s${o.seed}-${o.tag}`,
    suite: o.suite,
    experiment: o.experiment,
    scale: o.scale,
    activation: o.activation,
    seed: o.seed,
    config: {
      suite: o.suite,
      experiment: o.experiment,
      family: o.experiment === "dense_1B" ? "dense" : "moe",
      scale: o.scale,
      activation: o.activation,
      baseline: "swiglu",
      seed: o.seed,
      model: {
        model_type: "llama",
        hidden_size: 64,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: gated ? 128 : 192,
        vocab_size: 256,
        hidden_act: o.activation,
      },
      train: {
        batchSize: 16,
        seqLen: 64,
        tokens: o.total,
        steps: o.steps,
        tokensPerStep: o.tokensPerStep,
        evalEvery: 25,
        logEvery: 1,
      },
      optimizer: { lrPeak: 3e-3, lrMinFraction: 0.1, warmupFraction: 0.05, cosineHorizon: 1 },
      data: {
        train: { brown: 1, "nlp-corpus": 1 },
        validation: ["brown", "nlp-corpus"],
        tokenizer: "byte",
        dataSeed: 0,
      },
    },
    code: { commit: "0123456789abcdef0123456789abcdef01234567", dirty: false, sourceHash: "f".repeat(64) },
    env: {
      backend: "cpu",
      auto: false,
      adapter: null,
      wasm: null,
      versions: { tfjs: "4.22.0", deno: "2.9.6", v8: "13.0", typescript: "5.6" },
      os: { platform: "linux", release: "6.1", arch: "x64" },
      cpu: { model: "Fixture CPU @ 2.0GHz", cores: 2 },
      memoryGiB: 24,
    },
    counts: {
      total: o.parameters,
      active: o.parameters,
      embedding: 32768,
      nonEmbedding: o.parameters - 32768,
      flopsPerToken: 6 * o.parameters,
    },
    status: o.status,
    divergedAtStep: o.status === "diverged" ? o.lastStep : null,
    error: o.status === "failed" ? "Error: fixture failure\n    at somewhere" : null,
    progress: { step: o.lastStep, tokens: o.lastStep * o.tokensPerStep, totalSteps: o.steps, totalTokens: o.total },
    timings: {
      startedAt: "2025-01-01T00:00:00.000Z",
      updatedAt: "2025-01-01T01:00:00.000Z",
      finishedAt: o.status === "running" ? null : "2025-01-01T01:00:00.000Z",
      trainSeconds,
      evalSeconds: 3,
      tokensPerSecond: trainSeconds > 0 ? (o.lastStep * o.tokensPerStep) / trainSeconds : 0,
      resumes: 0,
    },
  };
}
