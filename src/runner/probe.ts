/**
 * The training probe behind `--budget`: a few real training steps and an
 * evaluation of a sample of the validation windows and task items of a rung's
 * configuration on the active backend, timed, and turned into a per-run
 * wall-time estimate. Measured shapes are cached in
 * `.cache/probe.json` per machine fingerprint and code (never in the results:
 * `--dry-run` writes nothing there), so a `--dry-run` followed by the real
 * run probes once.
 * @module
 */
import { join } from "node:path";
import type { BackendInfo } from "../backend/mod.ts";
import { writeJsonAtomic } from "../util/atomic.ts";
import { canonicalJson, sha256Hex } from "../util/hash.ts";
import { MAX_POSITIONS_PER_BATCH } from "../model/mod.ts";
import { openRunData } from "./_data.ts";
import { openRunModel } from "./_model.ts";
import { stepUntil, WARMUP } from "./_warmup.ts";
import type { ResolvedConfig } from "./plan.ts";

/** What a probe measured for one configuration shape. */
export interface ProbeResult {
  /** Wall seconds per training step (after the warm-up of `_warmup.ts`). */
  secondsPerStep: number;
  /** Evaluation seconds per validation token (all sources) and per task item. */
  secondsPerValToken: number;
  secondsPerTaskItem: number;
  /** Opening data and model, the fixed cost of a run. */
  setupSeconds: number;
  measuredAt: string;
}

/** Fixed cost of a run not seen by the probe: a process start (tfjs, kernels) and the final checkpoint. */
export const RUN_OVERHEAD_SECONDS = 3;

function shapeKey(c: ResolvedConfig): unknown {
  // What the speed depends on: the model and batch shape, not the seed, lr or token budget, and not the activation
  // (parameter-matched activations cost the same FLOPs, so their rates differ by less than the machine's load moves them).
  const m = c.model;
  return {
    dims: [
      m.hidden_size,
      m.num_hidden_layers,
      m.num_attention_heads,
      m.num_key_value_heads ?? m.num_attention_heads,
      m.vocab_size,
      m.num_experts ?? 0,
      m.num_experts_per_tok ?? 0,
    ],
    batchSize: c.train.batchSize,
    seqLen: c.train.seqLen,
    data: c.data,
  };
}

/**
 * Items per task the probe scores: enough that sequences of each padded length fill a forward pass of the scorer as
 * the run's 1,000 items do, far fewer than that would overstate the cost per item.
 */
export const PROBE_TASK_ITEMS = 64;

/**
 * Validation tokens per source the probe scores: the windows of one full forward pass of the scorer
 * (`MAX_POSITIONS_PER_BATCH` positions), so the probe's passes have the run's shape.
 *
 * @example
 * ```ts
 * import type { ResolvedConfig } from "./plan.ts";
 * declare const config: ResolvedConfig; // seqLen 128, valTokens 32768
 * probeValTokens(config); // 4064: 32 windows of 127 scored tokens
 * ```
 */
export function probeValTokens(config: ResolvedConfig): number {
  const seqLen = config.train.seqLen;
  return Math.min(config.train.valTokens, Math.max(1, Math.floor(MAX_POSITIONS_PER_BATCH / seqLen)) * (seqLen - 1));
}

/** Seconds of a validation-only evaluation and of the tasks' part, after one warm-up evaluation of both. */
async function timeEval(config: ResolvedConfig, valTokens: number, taskItems: number) {
  const c = { ...config, train: { ...config.train, valTokens, taskItems } };
  const data = await openRunData(c);
  const dir = await Deno.makeTempDir({ prefix: "polycom-probe-" });
  const { model } = await openRunModel(c, join(dir, "none"));
  const time = async (tasks: boolean) => {
    const started = performance.now();
    await data.evaluate(model.scorer, { tasks });
    return (performance.now() - started) / 1000;
  };
  try {
    await time(taskItems > 0); // warm-up: kernels, caches
    const valOnly = await time(false);
    return { valOnly, tasks: taskItems > 0 ? Math.max(0, (await time(true)) - valOnly) : 0 };
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Measures one configuration: training steps until `seconds` have passed (at
 * least 3, at most 8, after the warm-up {@linkcode WARMUP}), then evaluation cost.
 *
 * @example
 * ```ts
 * import type { ResolvedConfig } from "./plan.ts";
 * declare const config: ResolvedConfig;
 * const probe = await probeConfig(config, 2);
 * probe.secondsPerStep; // e.g. 0.62
 * ```
 */
export async function probeConfig(config: ResolvedConfig, seconds = 1.5, load?: ProbeLoad): Promise<ProbeResult> {
  // The competing jobs run through the whole probe: training and evaluation both share the machine in the real run.
  const loaders = load && load.jobs > 1 ? await startLoad(config, load) : [];
  try {
    const setupStart = performance.now();
    const data = await openRunData(config);
    const dir = await Deno.makeTempDir({ prefix: "polycom-probe-" });
    const { model } = await openRunModel(config, join(dir, "none"));
    const setupSeconds = (performance.now() - setupStart) / 1000;
    let secondsPerStep: number;
    try {
      const nextBatch = () => data.nextBatch();
      await stepUntil(model, nextBatch, WARMUP);
      const started = performance.now();
      const steps = await stepUntil(model, nextBatch, { minSteps: 3, minSeconds: seconds, maxSteps: 8 });
      secondsPerStep = (performance.now() - started) / 1000 / steps;
    } finally {
      model.dispose();
      await Deno.remove(dir, { recursive: true });
    }
    const valTokens = probeValTokens(config);
    const items = Math.min(config.train.taskItems, PROBE_TASK_ITEMS);
    const evaluation = await timeEval(config, valTokens, items);
    return {
      secondsPerStep,
      secondsPerValToken: evaluation.valOnly / valTokens,
      secondsPerTaskItem: items > 0 ? evaluation.tasks / items : 0,
      setupSeconds,
      measuredAt: new Date().toISOString(),
    };
  } finally {
    await stopLoad(loaders);
  }
}

/** Jobs that will run at once, and the backend and threads each has: the probe reproduces their contention. */
export interface ProbeLoad {
  jobs: number;
  backend: string;
  threads: number;
}

const LOAD_MAIN = new URL("./_probe_load.ts", import.meta.url).pathname;

async function startLoad(config: ResolvedConfig, load: ProbeLoad): Promise<Deno.ChildProcess[]> {
  const file = await Deno.makeTempFile({ prefix: "polycom-probe-", suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify(config));
  const children = Array.from({ length: load.jobs - 1 }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", LOAD_MAIN, file, load.backend, String(load.threads)],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn());
  // Wait until each has warmed up (or gave up), so the timed steps see the full load.
  await Promise.all(children.map(async (child) => {
    const reader = child.stdout.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
      .getReader();
    const timeout = setTimeout(() => reader.cancel().catch(() => {}), 60_000);
    try {
      let text = "";
      while (!text.includes("ready")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    } finally {
      clearTimeout(timeout);
      reader.releaseLock();
    }
  }));
  await Deno.remove(file);
  return children;
}

async function stopLoad(children: Deno.ChildProcess[]): Promise<void> {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
  }
}

/**
 * Number of evaluations a run makes: one at step 0, every `evalEvery` steps, and at the end.
 *
 * @example
 * ```ts
 * import type { ResolvedConfig } from "./plan.ts";
 * declare const config: ResolvedConfig;
 * evaluationsOf(config); // 5 for 400 steps evaluated every 100
 * ```
 */
export function evaluationsOf(c: ResolvedConfig): number {
  const t = c.train;
  return 1 + Math.floor(t.steps / t.evalEvery) + (t.steps % t.evalEvery === 0 ? 0 : 1);
}

/**
 * A run's wall time from a probe of its shape: training steps, evaluations (validation at each, the tasks at the
 * final one only, as the runner does) and the fixed costs.
 *
 * @example
 * ```ts
 * import type { ResolvedConfig } from "./plan.ts";
 * declare const config: ResolvedConfig;
 * declare const probe: ProbeResult;
 * estimateSeconds(config, probe); // e.g. 540
 * ```
 */
export function estimateSeconds(c: ResolvedConfig, p: ProbeResult): number {
  const evalSeconds = evaluationsOf(c) * c.train.valTokens * p.secondsPerValToken +
    c.train.taskItems * p.secondsPerTaskItem;
  return RUN_OVERHEAD_SECONDS + p.setupSeconds + c.train.steps * p.secondsPerStep + evalSeconds;
}

/** The probe cache: results/probe.json. */
interface ProbeCache {
  fingerprint: string;
  entries: Record<string, ProbeResult>;
}

/** How long a cached probe is trusted (the machine's load changes). */
const CACHE_HOURS = 12;

/**
 * Probes configurations, reusing a recent measurement of the same shape on
 * the same machine fingerprint (backend, CPU or adapter, GEMM threads, code).
 *
 * @example
 * ```ts
 * import type { BackendInfo } from "../backend/mod.ts";
 * import type { CodeVersion } from "../results/schema.ts";
 * import type { ResolvedConfig } from "./plan.ts";
 * declare const env: BackendInfo;
 * declare const code: CodeVersion;
 * declare const config: ResolvedConfig;
 * const prober = await openProber(".cache", env, code.sourceHash, 1);
 * const probe = await prober.probe(config);
 * ```
 */
export async function openProber(
  cacheDir: string,
  env: BackendInfo,
  codeHash: string,
  threads: number,
  jobs = 1,
): Promise<{ probe(c: ResolvedConfig): Promise<ProbeResult & { cached: boolean }>; save(): Promise<void> }> {
  const path = join(cacheDir, "probe.json");
  const fingerprint = await sha256Hex(
    canonicalJson({ backend: env.backend, cpu: env.cpu, adapter: env.adapter ?? null, threads, jobs, codeHash }),
  );
  let cache: ProbeCache = { fingerprint, entries: {} };
  try {
    const read = JSON.parse(await Deno.readTextFile(path)) as ProbeCache;
    if (read.fingerprint === fingerprint) cache = read;
  } catch {
    // no cache yet
  }
  let dirty = false;
  return {
    async probe(c) {
      const key = await sha256Hex(canonicalJson(shapeKey(c)));
      const hit = cache.entries[key];
      if (hit && Date.now() - Date.parse(hit.measuredAt) < CACHE_HOURS * 3600e3) return { ...hit, cached: true };
      const result = await probeConfig(c, 1.5, { jobs, backend: env.backend, threads });
      cache.entries[key] = result;
      dirty = true;
      return { ...result, cached: false };
    },
    async save() {
      if (dirty) await writeJsonAtomic(path, cache);
    },
  };
}
