/**
 * The data settings to evaluate a checkpoint with. A checkpoint in a run
 * directory (`results/<suite>/<run-id>/checkpoint`) is scored exactly as the
 * runner scored it, from the run's `run.json`; a bare checkpoint gets the
 * byte tokenizer (or the `tokenizer.json` saved with it) and the text sources.
 * Explicit overrides win over both.
 * @module
 */
import { dirname, join } from "node:path";
import { z } from "zod";
import { loadTokenizer, readTokenizerFile, vocabSizeFor } from "../data/tokenizer/load.ts";
import type { Tokenizer, TokenizerSpec } from "../data/tokenizer/types.ts";
import type { CacheOptions } from "../data/corpus.ts";
import { assertSource } from "../data/stream.ts";
import { TEXT_SOURCES } from "../data/types.ts";
import { TokenizerConfig } from "../suite/schema.ts";
import { UsageError } from "../util/errors.ts";
import type { EvalSetOptions } from "./eval_set.ts";

/** File name of a saved tokenizer, next to a checkpoint or in its run directory. */
export const TOKENIZER_FILE = "tokenizer.json";

/** Settings of a bare checkpoint where neither run.json nor an override gives one. */
export const BARE_CHECKPOINT_DEFAULTS = {
  sources: [...TEXT_SOURCES] as string[],
  valTokens: 16384,
  taskItems: 100,
  itemSeed: 0,
} as const;

/** What the caller sets explicitly; anything left out comes from run.json or the defaults. */
export interface CheckpointEvalOverrides {
  /** `"byte"`, `"bpe:N"` (the project's cached BPE of N ids) or a path to a tokenizer.json. */
  tokenizer?: string;
  sources?: string[];
  seqLen?: number;
  valTokens?: number;
  taskItems?: number;
  itemSeed?: number;
  /** Run directory whose run.json gives the settings (default: the checkpoint's parent, when it has one). */
  runDir?: string;
}

/** The model facts the settings must agree with. */
export interface CheckpointShape {
  vocabSize: number;
  maxPositions: number;
}

/** Resolved settings: {@linkcode openEvalSet} options plus where they came from. */
export interface CheckpointEvalSettings extends EvalSetOptions {
  itemSeed: number;
  /** How the tokenizer was chosen, e.g. "byte", "4096 ids (ckpt/tokenizer.json)". */
  tokenizerName: string;
  /** The run.json the settings came from, or null for a bare checkpoint. */
  runRecord: string | null;
}

/** The part of run.json (the runner's resolved config) that fixes evaluation. */
const RunEvalConfig = z.object({
  config: z.object({
    data: z.object({
      validation: z.array(z.string()).min(1),
      tokenizer: TokenizerConfig,
    }),
    train: z.object({
      seqLen: z.number().int().positive(),
      valTokens: z.number().int().positive(),
      taskItems: z.number().int().min(0),
    }),
  }),
});
type RunEvalConfig = z.infer<typeof RunEvalConfig>["config"];

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return false;
    throw error;
  }
}

async function readRunConfig(path: string): Promise<RunEvalConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = RunEvalConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${path}: no usable data settings (${issue?.path.join(".")}: ${issue?.message})`);
  }
  return parsed.data.config;
}

/**
 * Parses a `--tokenizer` value: "byte", "bpe:N", or anything else as a path.
 *
 * @example
 * ```ts
 * parseTokenizerArg("bpe:4096"); // { bpe: 4096 }
 * parseTokenizerArg("ckpt/tokenizer.json"); // "ckpt/tokenizer.json" (a path)
 * ```
 */
export function parseTokenizerArg(value: string): TokenizerSpec | string {
  if (value === "byte") return "byte";
  const bpe = /^bpe:(.*)$/.exec(value);
  if (!bpe) return value;
  if (!/^\d+$/.test(bpe[1])) throw new UsageError(`--tokenizer bpe:N needs a vocabulary size, got '${value}'`);
  return { bpe: Number(bpe[1]) };
}

function specName(spec: TokenizerSpec): string {
  return spec === "byte" ? "byte" : "bpe" in spec ? `bpe ${spec.bpe}` : spec.huggingface;
}

async function chooseTokenizer(
  arg: string | undefined,
  candidates: string[],
  fromRun: TokenizerSpec | undefined,
  vocabSize: number,
  cache: CacheOptions,
): Promise<{ tokenizer: Tokenizer; name: string }> {
  // Check a named spec's size first: a BPE missing from the cache takes seconds to train.
  const load = async (spec: TokenizerSpec) => {
    if (vocabSizeFor(spec) !== vocabSize) throw mismatch(specName(spec), vocabSizeFor(spec), vocabSize);
    return { tokenizer: await loadTokenizer(spec, cache), name: specName(spec) };
  };
  const spec = arg === undefined ? undefined : parseTokenizerArg(arg);
  if (typeof spec === "string") return { tokenizer: await readTokenizerFile(spec), name: spec };
  if (spec) return await load(spec);
  // The file saved with the checkpoint is the exact tokenizer it was trained with.
  for (const path of candidates) {
    if (await isFile(path)) {
      const tokenizer = await readTokenizerFile(path);
      return { tokenizer, name: `${tokenizer.vocabSize} ids (${path})` };
    }
  }
  return await load(fromRun ?? "byte");
}

function mismatch(name: string, ids: number, vocabSize: number): UsageError {
  return new UsageError(
    `tokenizer ${name} has ${ids} ids but the checkpoint's vocab_size is ${vocabSize}; ` +
      "pass the tokenizer it was trained with (--tokenizer byte|bpe:N|FILE)",
  );
}

/**
 * Resolves the evaluation settings of a checkpoint directory: overrides,
 * then the run's run.json, then a tokenizer.json saved with the checkpoint,
 * then {@linkcode BARE_CHECKPOINT_DEFAULTS} (byte tokenizer, the model's
 * context as the window). Fails with a UsageError when the tokenizer's
 * vocabulary or the window does not fit the model.
 *
 * @example
 * ```ts
 * import { evaluate } from "./evaluate.ts";
 * import { openEvalSet } from "./eval_set.ts";
 * import type { SequenceScorer } from "./scorer.ts";
 * declare const scorer: SequenceScorer;
 * const settings = await resolveCheckpointEval("results/dense/polynorm-s0-abc/checkpoint",
 *   { vocabSize: 259, maxPositions: 64 }, { taskItems: 20 });
 * const result = await evaluate(scorer, await openEvalSet(settings));
 * ```
 */
export async function resolveCheckpointEval(
  checkpointDir: string,
  model: CheckpointShape,
  overrides: CheckpointEvalOverrides = {},
  cache: CacheOptions = {},
): Promise<CheckpointEvalSettings> {
  let runRecord: string | null = null;
  if (overrides.runDir !== undefined) {
    runRecord = join(overrides.runDir, "run.json");
    if (!(await isFile(runRecord))) throw new UsageError(`${overrides.runDir}: not a run directory (no run.json)`);
  } else if (await isFile(join(dirname(checkpointDir), "run.json"))) {
    runRecord = join(dirname(checkpointDir), "run.json");
  }
  const run = runRecord === null ? undefined : await readRunConfig(runRecord);
  const candidates = [join(checkpointDir, TOKENIZER_FILE)];
  if (runRecord !== null) candidates.push(join(dirname(runRecord), TOKENIZER_FILE));
  const { tokenizer, name } = await chooseTokenizer(
    overrides.tokenizer,
    candidates,
    run?.data.tokenizer,
    model.vocabSize,
    cache,
  );
  if (tokenizer.vocabSize !== model.vocabSize) throw mismatch(name, tokenizer.vocabSize, model.vocabSize);
  const sources = overrides.sources ?? run?.data.validation ?? BARE_CHECKPOINT_DEFAULTS.sources;
  sources.forEach((s) => assertSource(s));
  const seqLen = overrides.seqLen ?? run?.train.seqLen ?? model.maxPositions;
  if (seqLen < 2 || seqLen > model.maxPositions) {
    throw new UsageError(`window of ${seqLen} tokens does not fit the model's context (2..${model.maxPositions})`);
  }
  return {
    ...cache,
    tokenizer,
    tokenizerName: name,
    sources: [...sources],
    seqLen,
    valTokens: overrides.valTokens ?? run?.train.valTokens ?? BARE_CHECKPOINT_DEFAULTS.valTokens,
    taskItems: overrides.taskItems ?? run?.train.taskItems ?? BARE_CHECKPOINT_DEFAULTS.taskItems,
    itemSeed: overrides.itemSeed ?? BARE_CHECKPOINT_DEFAULTS.itemSeed,
    runRecord,
  };
}
