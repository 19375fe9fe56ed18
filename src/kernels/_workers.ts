/**
 * The worker side of the pool (`parallel/pool.ts`): starting
 * `node:worker_threads` workers that answer once ready, serving jobs, and
 * waiting for every worker's done slot after a job.
 *
 * Workers are `unref`'d, so they never keep a process alive.
 * @module
 */
import { Worker } from "node:worker_threads";

/**
 * Starts workers `1 .. threads-1` of `url`, posting `init(index)` to each and
 * resolving once each has answered (an answer with an `error` field rejects).
 * On failure every started worker is stopped.
 *
 * @example
 * ```ts
 * const workers = await startWorkers(new URL("./_worker.ts", import.meta.url), 2, (index) => ({ index }), "heap worker");
 * ```
 */
export async function startWorkers(
  url: URL,
  threads: number,
  init: (index: number) => unknown,
  label: string,
): Promise<Worker[]> {
  const workers: Worker[] = [];
  try {
    for (let index = 1; index < threads; index++) {
      const worker = new Worker(url);
      workers.push(worker);
      const ready = new Promise<void>((resolve, reject) => {
        worker.once(
          "message",
          (m: { error?: string } | undefined) => m?.error ? reject(new Error(m.error)) : resolve(),
        );
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new Error(`${label} ${index} exited with code ${code}`)));
      });
      worker.postMessage(init(index));
      await ready;
      worker.unref();
    }
  } catch (error) {
    for (const w of workers) w.terminate();
    throw error;
  }
  return workers;
}

/** A worker that has not finished its part of a job by then has died or hung. */
export const WORKER_JOB_TIMEOUT_MS = 120_000;

/** Where a pool's workers report: Int32 slots `done + t` (last job finished) and `failed + t` (it threw). */
export interface DoneSlots {
  slots: Int32Array;
  done: number;
  failed: number;
}

/**
 * Waits until workers `1 .. threads-1` report job `seq` done: polls `spin`
 * times (parts are balanced, so they usually end together), then sleeps on
 * the slot. Throws when one reports failure or does not answer within
 * {@linkcode WORKER_JOB_TIMEOUT_MS}.
 *
 * @example
 * ```ts
 * declare const slots: Int32Array, seq: number; // the shared control block, the job just posted
 * awaitWorkers({ slots, done: 8, failed: 48 }, seq, 2, "heap worker");
 * ```
 */
export function awaitWorkers(
  at: DoneSlots,
  seq: number,
  threads: number,
  label: string,
  spin = 0,
): void {
  const { slots, done, failed } = at;
  for (let t = 1; t < threads; t++) {
    let polls = 0, deadline = 0;
    let seen: number;
    while ((seen = Atomics.load(slots, done + t)) !== seq) {
      if (++polls < spin) continue;
      deadline ||= performance.now() + WORKER_JOB_TIMEOUT_MS;
      if (performance.now() > deadline) {
        throw new Error(`${label} ${t} did not finish within ${WORKER_JOB_TIMEOUT_MS} ms`);
      }
      Atomics.wait(slots, done + t, seen, 10);
    }
    if (Atomics.load(slots, failed + t) !== 0) throw new Error(`${label} ${t} failed (see its error above)`);
  }
}

/** The slots a worker watches and reports in (Int32 indices). */
export interface JobSlots {
  /** Job counter the main thread bumps; negative asks the worker to exit. */
  seq: number;
  done: number;
  failed: number;
}

/**
 * A worker's loop: announces readiness with `ready()`, then runs `run()` for
 * every new job posted in `slots` and reports it done (or failed) in its own
 * slots, until asked to exit.
 *
 * @example
 * ```ts
 * import { parentPort } from "node:worker_threads";
 * declare const slots: Int32Array, index: number; // the shared control block, this worker's thread index
 * declare function runPart(): void;
 * serveJobs(slots, { seq: 0, done: 8, failed: 48 }, index, "heap worker", () => parentPort!.postMessage({}), runPart);
 * ```
 */
export function serveJobs(
  slots: Int32Array,
  at: JobSlots,
  index: number,
  label: string,
  ready: () => void,
  run: () => void,
): void {
  // Read before announcing readiness: the first job may be posted the moment the main thread hears of it.
  let seen = Atomics.load(slots, at.seq);
  ready();
  while (true) {
    Atomics.wait(slots, at.seq, seen);
    const seq = Atomics.load(slots, at.seq);
    if (seq < 0) break;
    if (seq === seen) continue;
    seen = seq;
    try {
      run();
      Atomics.store(slots, at.failed + index, 0);
    } catch (error) {
      Atomics.store(slots, at.failed + index, 1);
      console.error(`${label} ${index}:`, error);
    }
    Atomics.store(slots, at.done + index, seq);
    Atomics.notify(slots, at.done + index);
  }
}
