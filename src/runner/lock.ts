/**
 * Run locks: a process claims a run by creating `lock.json` in the run's
 * folder with an exclusive create (one process wins, on one machine or on a
 * shared folder), refreshes a heartbeat in it while it works, and removes it
 * at the end. A lock whose process on this host is gone, or, held from
 * another host, whose heartbeat is older than {@linkcode staleAfterSeconds},
 * is taken over with a notice.
 * @module
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic.ts";

/** File name of a run's lock. */
export const LOCK_FILE = "lock.json";

/** What a lock file says. */
export interface LockInfo {
  /** Unique per claim, so a process never removes a lock it does not hold. */
  holder: string;
  host: string;
  pid: number;
  startedAt: string;
  heartbeatAt: string;
}

/** A held lock. */
export interface HeldLock {
  info: LockInfo;
  release(): Promise<void>;
}

/** The result of trying to claim a run. */
export type ClaimResult =
  | { held: HeldLock; tookOver: LockInfo | null }
  | { held: null; lockedBy: LockInfo };

/**
 * Seconds after which a heartbeat counts as stale: `POLYCOM_LOCK_STALE_SECONDS`, else 120.
 *
 * @example
 * ```ts
 * staleAfterSeconds(); // 120
 * ```
 */
export function staleAfterSeconds(): number {
  const value = Number(Deno.env.get("POLYCOM_LOCK_STALE_SECONDS"));
  return Number.isFinite(value) && value > 0 ? value : 120;
}

/** Heartbeat period: a quarter of the stale limit, so a live holder is never mistaken for a dead one. */
function heartbeatMs(): number {
  return Math.max(200, (staleAfterSeconds() * 1000) / 4);
}

function processAlive(pid: number): boolean {
  if (Deno.build.os === "linux") {
    // A pid reused by another program after the holder died is not the holder.
    try {
      return Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes("deno");
    } catch {
      return false;
    }
  }
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a lock is dead, or `null` when its holder may still be working.
 *
 * @example
 * ```ts
 * import { hostname } from "node:os";
 * deadReason({ holder: "x", host: hostname(), pid: 999999, startedAt: "", heartbeatAt: new Date().toISOString() });
 * ```
 */
export function deadReason(info: LockInfo, now = Date.now()): string | null {
  // On this host the process table is the truth: a live holder may go minutes without a heartbeat while one long
  // step or evaluation blocks its event loop, and taking its run over would make two writers of one run.
  if (info.host === hostname()) {
    return processAlive(info.pid) ? null : `process ${info.pid} on ${info.host} is gone`;
  }
  const age = (now - Date.parse(info.heartbeatAt)) / 1000;
  if (!(age <= staleAfterSeconds())) return `its heartbeat is ${Math.round(age)} s old`;
  return null;
}

async function readLock(path: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as LockInfo;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    // Being written right now, or left half-written by a process that died: its age is the file's.
    const mtime = (await Deno.stat(path).catch(() => null))?.mtime ?? new Date(0);
    return { holder: "unreadable", host: "", pid: -1, startedAt: "", heartbeatAt: mtime.toISOString() };
  }
}

async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, createNew: true });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
  try {
    await file.write(new TextEncoder().encode(JSON.stringify(info, null, 2) + "\n"));
    await file.sync();
  } finally {
    file.close();
  }
  return true;
}

function hold(path: string, info: LockInfo): HeldLock {
  let beating = true;
  const timer = setInterval(async () => {
    if (!beating) return;
    const current = await readLock(path);
    if (current?.holder !== info.holder) return; // taken over: leave it to the new holder
    info.heartbeatAt = new Date().toISOString();
    await writeJsonAtomic(path, info).catch(() => {});
  }, heartbeatMs());
  Deno.unrefTimer(timer);
  return {
    info,
    async release() {
      beating = false;
      clearInterval(timer);
      const current = await readLock(path);
      if (current?.holder === info.holder) await Deno.remove(path).catch(() => {});
    },
  };
}

/**
 * Claims the run in `dir` for this process. A dead lock is taken over (the
 * caller prints `tookOver`); a live one is reported in `lockedBy`.
 *
 * @example
 * ```ts
 * const claim = await claimRun("results/dense/polynorm-s0-abc");
 * if (claim.held) {
 *   try {
 *     // train into the directory
 *   } finally {
 *     await claim.held.release();
 *   }
 * }
 * ```
 */
export async function claimRun(dir: string): Promise<ClaimResult> {
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const now = new Date().toISOString();
  const info: LockInfo = {
    holder: crypto.randomUUID(),
    host: hostname(),
    pid: Deno.pid,
    startedAt: now,
    heartbeatAt: now,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path, info)) return { held: hold(path, info), tookOver: null };
    const current = await readLock(path);
    if (!current) continue; // released between our create and read: try again
    if (deadReason(current) === null) return { held: null, lockedBy: current };
    // Move the dead lock aside (one process wins the rename), check it was the one we judged, then claim.
    const aside = `${path}.dead.${info.holder}`;
    try {
      await Deno.rename(path, aside);
    } catch {
      continue; // someone else moved it first
    }
    const moved = await readLock(aside);
    await Deno.remove(aside).catch(() => {});
    if (moved?.holder !== current.holder && moved) {
      // We moved a fresh lock that a faster process had just created: put it back and report it.
      if (!existsSync(path)) await writeJsonAtomic(path, moved).catch(() => {});
      return { held: null, lockedBy: moved };
    }
    if (await tryCreate(path, info)) return { held: hold(path, info), tookOver: current };
  }
  const current = await readLock(path);
  return current ? { held: null, lockedBy: current } : await claimRun(dir);
}

/**
 * One line describing a lock, for notices.
 *
 * @example
 * ```ts
 * const info = { holder: "x", host: "host-a", pid: 4242, startedAt: "2026-01-01T00:00:00Z", heartbeatAt: "" };
 * describeLock(info); // "pid 4242 on host-a since 2026-01-01T00:00:00Z"
 * ```
 */
export function describeLock(info: LockInfo): string {
  return `pid ${info.pid} on ${info.host || "?"} since ${info.startedAt || "?"}`;
}
