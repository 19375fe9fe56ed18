/**
 * The committed gate baseline: per-run values of the gated metrics, claim
 * verdicts, and tolerance bands with the measurements they came from.
 * @module
 */
import { z } from "zod";
import { CodeVersion } from "../results/schema.ts";
import { writeJsonAtomic } from "../util/atomic.ts";
import { UsageError } from "../util/errors.ts";

/** Version tag of the baseline file. */
export const BASELINE_SCHEMA = "polycom-repro/gate-baseline@1";

/** One gated metric's value per run. */
export const BaselineRun = z.object({
  activation: z.string(),
  seed: z.number().int(),
  metrics: z.record(z.string(), z.number()),
}).strict();
/** One run's gated values. */
export type BaselineRun = z.infer<typeof BaselineRun>;

/** A tolerance band and the measurements behind it. */
export const Band = z.object({
  /** Allowed worsening of the mean over seeds. */
  band: z.number().min(0),
  /** Largest |Δ| of the same run (same seed) repeated and across backends. */
  sameSeedDrift: z.number().min(0),
  /** Largest standard deviation across seeds of any activation. */
  seedStd: z.number().min(0),
  /** "lower" when smaller is better (losses), "higher" for accuracies. */
  better: z.enum(["lower", "higher"]),
}).strict();
/** A tolerance band. */
export type Band = z.infer<typeof Band>;

/** The baseline file. */
export const Baseline = z.object({
  schema: z.literal(BASELINE_SCHEMA),
  suite: z.string(),
  scale: z.string(),
  backend: z.string(),
  seeds: z.array(z.number().int()),
  createdAt: z.string(),
  /** The code of the baseline's runs (strict: this file is ours). */
  code: CodeVersion.strict(),
  runs: z.array(BaselineRun),
  /** Claim id → verdict at baseline time. */
  verdicts: z.record(z.string(), z.string()),
  bands: z.record(z.string(), Band),
  /** How the bands were measured, in words and numbers. */
  method: z.object({
    rule: z.string(),
    driftRuns: z.array(z.string()),
    floor: z.number(),
  }).strict(),
}).strict();
/** The baseline file. */
export type Baseline = z.infer<typeof Baseline>;

/**
 * Reads and validates a baseline file.
 *
 * @example
 * ```ts
 * const baseline = await readBaseline("baselines/gate.json");
 * ```
 */
export async function readBaseline(path: string): Promise<Baseline> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`baseline '${path}' does not exist (create it with --update-baseline)`);
    }
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`baseline '${path}' is not valid JSON`);
  }
  const parsed = Baseline.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`baseline '${path}' is invalid at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Writes a baseline file atomically.
 *
 * @example
 * ```ts
 * declare const baseline: Baseline;
 * await writeBaseline("baselines/gate.json", baseline);
 * ```
 */
export async function writeBaseline(path: string, baseline: Baseline): Promise<void> {
  await writeJsonAtomic(path, Baseline.parse(baseline));
}
