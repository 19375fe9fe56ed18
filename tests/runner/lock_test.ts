import assert from "node:assert/strict";
import { hostname } from "node:os";
import { join } from "node:path";
import { claimRun, deadReason, LOCK_FILE, type LockInfo } from "../../src/runner/lock.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "polycom-lock-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const lockOf = (pid: number, heartbeatAt: Date, host = hostname()): LockInfo => ({
  holder: crypto.randomUUID(),
  host,
  pid,
  startedAt: heartbeatAt.toISOString(),
  heartbeatAt: heartbeatAt.toISOString(),
});

Deno.test("a run is claimed once; the second claim sees the holder; release frees it", async () => {
  await withDir(async (dir) => {
    const first = await claimRun(dir);
    assert.ok(first.held);
    assert.equal(first.tookOver, null);
    const second = await claimRun(dir);
    assert.equal(second.held, null);
    if (!second.held) assert.equal(second.lockedBy.pid, Deno.pid);
    await first.held.release();
    const third = await claimRun(dir);
    assert.ok(third.held);
    await third.held.release();
  });
});

Deno.test("many claims at once: exactly one wins", async () => {
  await withDir(async (dir) => {
    const claims = await Promise.all(Array.from({ length: 8 }, () => claimRun(dir)));
    const held = claims.filter((c) => c.held);
    assert.equal(held.length, 1);
    await held[0].held!.release();
  });
});

Deno.test("a lock of a dead process on this host, or with a stale heartbeat, is taken over", async () => {
  await withDir(async (dir) => {
    // A process that has exited: its pid is free.
    const child = new Deno.Command("true").spawn();
    const { pid } = child;
    await child.status;
    const dead = lockOf(pid, new Date());
    assert.match(deadReason(dead)!, /is gone/);
    await Deno.writeTextFile(join(dir, LOCK_FILE), JSON.stringify(dead));
    const claim = await claimRun(dir);
    assert.ok(claim.held);
    assert.equal(claim.tookOver?.holder, dead.holder);
    await claim.held.release();

    const stale = lockOf(Deno.pid, new Date(Date.now() - 3600e3), "another-host");
    assert.match(deadReason(stale)!, /heartbeat is \d+ s old/);
    await Deno.writeTextFile(join(dir, LOCK_FILE), JSON.stringify(stale));
    const again = await claimRun(dir);
    assert.ok(again.held);
    await again.held.release();

    const live = lockOf(Deno.pid, new Date(), "another-host");
    assert.equal(deadReason(live), null);
    // On this host a live holder stays the holder however old its heartbeat: one long step blocks its timer.
    assert.equal(deadReason(lockOf(Deno.pid, new Date(Date.now() - 3600e3))), null);
    await Deno.writeTextFile(join(dir, LOCK_FILE), JSON.stringify(live));
    assert.equal((await claimRun(dir)).held, null);
  });
});
