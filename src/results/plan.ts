/**
 * The plan record, `results/<suite>/plan.json`: what `reproduce` set out to
 * run for a suite (per rung: activations × seeds, their run ids and
 * estimates), the suite's content hash, and what a larger budget would add.
 * The report and the gate learn what was expected from it and never read a
 * suite file. Each reproduce call merges its rungs into the record, so rungs
 * run on different days (or machines sharing the folder) add up.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeJsonAtomic } from "../util/atomic.ts";
import { UsageError } from "../util/errors.ts";
import { CodeVersion, Scale } from "./schema.ts";

/** Version tag written into every plan.json. */
export const PLAN_SCHEMA = "polycom-repro/plan@1";
/** File name of the plan record inside `results/<suite>/`. */
export const PLAN_FILE = "plan.json";

/** One planned run. */
export const PlanRun = z.object({
  runId: z.string(),
  activation: z.string(),
  seed: z.number().int(),
  /** Estimated wall seconds (training and evaluation) on the planning machine; null when not estimated. */
  estimatedSeconds: z.number().nullable(),
});
/** One planned run. */
export type PlanRun = z.infer<typeof PlanRun>;

/** A run a budget left out, most important first. */
export const LeftOut = z.object({
  activation: z.string(),
  seed: z.number().int(),
  estimatedSeconds: z.number().nullable(),
});

/**
 * How the planner chose a rung's seed count for its headline comparison: the rule in words, the paired SD of the
 * pilot seeds it planned from (when there was a pilot), the seeds that rule asked for (`target`), those it ran
 * (`chosen`), the most it would run (`cap`), and why `chosen` differs from `target` when it does.
 */
export const SeedChoice = z.object({
  rule: z.string(),
  /** The two activations the choice is for (the paired difference is first − second). */
  pair: z.tuple([z.string(), z.string()]).optional(),
  pilotSd: z.number().optional(),
  /** With a pilot: the two-sided interval level the seeds were planned at, which the judge reads the pair at. */
  level: z.number().optional(),
  target: z.number(),
  chosen: z.number(),
  cap: z.number(),
  reason: z.string(),
});
/** How a rung's seed count was chosen. */
export type SeedChoice = z.infer<typeof SeedChoice>;

/** The runs planned at one rung. */
export const PlanRung = z.object({
  rung: Scale,
  activations: z.array(z.string()),
  seeds: z.array(z.number().int()),
  runs: z.array(PlanRun),
  /** Runs of this rung the budget did not fit (what a longer budget adds). */
  leftOut: z.array(LeftOut).default([]),
  /** How the seed count was chosen, when the planner chose it (absent in older records and forced seeds). */
  seedChoice: SeedChoice.optional(),
  plannedAt: z.string(),
});

/** The runs planned at one rung. */
export type PlanRung = z.infer<typeof PlanRung>;

/** The plan record of one suite. */
export const PlanRecord = z.object({
  schema: z.literal(PLAN_SCHEMA),
  suite: z.string(),
  experiment: z.string(),
  family: z.string(),
  baseline: z.string(),
  /** SHA-256 of the validated suite (canonical JSON): two plans of the same hash planned the same suite. */
  suiteHash: z.string(),
  /** Where the suite came from (for people; nothing reads it back). */
  suitePath: z.string(),
  code: CodeVersion,
  /** The budget the plan was made for, in seconds; null when the rung was forced. */
  budgetSeconds: z.number().nullable(),
  jobs: z.number().int().positive(),
  /** How the per-run estimates were made. */
  estimateBasis: z.string().nullable(),
  rungs: z.array(PlanRung),
});
/** The plan record of one suite. */
export type PlanRecord = z.infer<typeof PlanRecord>;

/**
 * Path of a suite's plan record.
 *
 * @example
 * ```ts
 * planPath("results", "dense"); // "results/dense/plan.json"
 * ```
 */
export function planPath(resultsDir: string, suite: string): string {
  return join(resultsDir, suite, PLAN_FILE);
}

/**
 * Reads a suite's plan record, or `null` when there is none. A record that
 * does not validate is a UsageError naming the file.
 *
 * @example
 * ```ts
 * const plan = await readPlan("results", "dense");
 * plan?.rungs.find((r) => r.rung === "860k")?.seeds; // [0, 1, 2]
 * ```
 */
export async function readPlan(resultsDir: string, suite: string): Promise<PlanRecord | null> {
  const path = planPath(resultsDir, suite);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = PlanRecord.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${path}: not a valid plan record (${issue?.path.join(".")}: ${issue?.message})`);
  }
  return parsed.data;
}

/**
 * Writes a plan record, merged with the one on disk: rungs in `plan` replace
 * the same rungs there, other rungs are kept.
 *
 * @example
 * ```ts
 * declare const plan: PlanRecord;
 * await writePlan("results", plan);
 * ```
 */
export async function writePlan(resultsDir: string, plan: PlanRecord): Promise<void> {
  let existing: PlanRecord | null = null;
  try {
    existing = await readPlan(resultsDir, plan.suite);
  } catch {
    existing = null; // a broken record is replaced by a good one
  }
  const mine = new Set(plan.rungs.map((r) => r.rung));
  const kept = (existing?.rungs ?? []).filter((r) => !mine.has(r.rung));
  const merged: PlanRecord = { ...plan, rungs: [...kept, ...plan.rungs] };
  await Deno.mkdir(join(resultsDir, plan.suite), { recursive: true });
  await writeJsonAtomic(planPath(resultsDir, plan.suite), PlanRecord.parse(merged));
}

/**
 * The planned rung of a suite, or `null`.
 *
 * @example
 * ```ts
 * declare const plan: PlanRecord;
 * rungOf(plan, "smoke")?.activations;
 * ```
 */
export function rungOf(plan: PlanRecord | null, rung: string): PlanRung | null {
  return plan?.rungs.find((r) => r.rung === rung) ?? null;
}
