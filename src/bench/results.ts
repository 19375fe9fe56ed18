/**
 * The benchmark result file, `results/bench/latest.json`.
 * @module
 */
import { writeJsonAtomic } from "../util/atomic.ts";
import type { TrainBenchResult } from "./harness.ts";

/** Where `deno task bench` writes its results. */
export const LATEST_BENCH_PATH = "results/bench/latest.json";

/** A PyTorch peer's row, as tools/pytorch_peer.py prints it. */
export interface PeerResult {
  name: string;
  backend: "pytorch";
  activation: string;
  msPerStepMedian: number;
  tokensPerSecond: number;
  env: Record<string, unknown>;
  /** Fastest timed step and every timed step, in ms (older peer scripts may omit them). */
  msPerStepMin?: number;
  msPerStep?: number[];
}

/**
 * Adds the PyTorch comparison to each row that has a peer with the same
 * benchmark and activation: `details.pytorchMsPerStep` and
 * `details.ratioToPytorch` (tfjs time / PyTorch time; below 1 is faster).
 *
 * @example
 * ```ts
 * const rows = withPeerRatios(results, peers);
 * ```
 */
export function withPeerRatios(rows: TrainBenchResult[], peers: PeerResult[]): TrainBenchResult[] {
  return rows.map((row) => {
    const peer = peers.find((p) => p.name === row.name && p.activation === row.activation);
    if (!peer) return row;
    return {
      ...row,
      details: {
        ...row.details,
        pytorchMsPerStep: peer.msPerStepMedian,
        ratioToPytorch: Math.round(row.msPerStepMedian / peer.msPerStepMedian * 1000) / 1000,
      },
    };
  });
}

/**
 * A PyTorch peer's row as `results/bench/latest.json` stores it, beside the
 * tfjs rows: `backend` is `"pytorch"` and `details.peer` is `true`, so no
 * reader mistakes it for a tfjs backend.
 */
export interface PeerBenchEntry {
  name: string;
  backend: "pytorch";
  activation: string;
  msPerStepMedian: number;
  tokensPerSecond: number;
  /** Model FLOPs per second over PyTorch's own 2048² matmul GFLOP/s; `null` when the peer did not measure it. */
  mfu: number | null;
  env: Record<string, unknown>;
  details: {
    peer: true;
    modelFlopsPerStep: number;
    achievedGflops: number;
    peakGflops: number | null;
    msPerStepMin?: number;
    msPerStep?: number[];
  };
}

/**
 * Turns peer rows into result-file entries, with MFU measured the same way as
 * the tfjs rows' (model FLOPs per second over the peer's best matmul rate).
 * `modelFlopsPerStep` gives the model FLOPs of one step per activation.
 *
 * @example
 * ```ts
 * const entries = peerBenchEntries(peers, (activation) => 11.7e9);
 * ```
 */
export function peerBenchEntries(
  peers: readonly PeerResult[],
  modelFlopsPerStep: (activation: string) => number,
): PeerBenchEntry[] {
  return peers.map((p) => {
    const flops = modelFlopsPerStep(p.activation);
    const achievedGflops = flops / (p.msPerStepMedian / 1000) / 1e9;
    const peak = p.env.matmul2048GFlops;
    const peakGflops = typeof peak === "number" && peak > 0 ? peak : null;
    return {
      name: p.name,
      backend: "pytorch",
      activation: p.activation,
      msPerStepMedian: p.msPerStepMedian,
      tokensPerSecond: p.tokensPerSecond,
      mfu: peakGflops === null ? null : Math.round(achievedGflops / peakGflops * 1e4) / 1e4,
      env: p.env,
      details: {
        peer: true,
        msPerStepMin: p.msPerStepMin,
        msPerStep: p.msPerStep,
        modelFlopsPerStep: flops,
        achievedGflops: Math.round(achievedGflops * 1e3) / 1e3,
        peakGflops,
      },
    };
  });
}

/**
 * Writes the rows (atomically) as a JSON list.
 *
 * @example
 * ```ts
 * await writeBenchResults("results/bench/latest.json", rows);
 * ```
 */
export async function writeBenchResults(
  path: string,
  rows: readonly (TrainBenchResult | PeerBenchEntry)[],
): Promise<void> {
  await writeJsonAtomic(path, rows);
}

/**
 * A plain-text table of results, one line per row.
 *
 * @example
 * ```ts
 * console.log(formatBenchTable(rows));
 * ```
 */
export function formatBenchTable(rows: readonly TrainBenchResult[], peers: readonly PeerBenchEntry[] = []): string {
  const header = ["backend", "activation", "ms/step", "tokens/s", "MFU", "GFLOP/s", "peak", "vs PyTorch"];
  const lines = rows.map((r) => {
    const ratio = (r.details as { ratioToPytorch?: number }).ratioToPytorch;
    return [
      r.backend,
      r.activation,
      r.msPerStepMedian.toFixed(1),
      r.tokensPerSecond.toFixed(0),
      `${(r.mfu * 100).toFixed(1)}%`,
      r.details.achievedGflops.toFixed(2),
      r.details.peakGflops.toFixed(1),
      ratio === undefined ? "-" : `${ratio.toFixed(2)}x`,
    ];
  });
  for (const p of peers) {
    lines.push([
      "pytorch",
      p.activation,
      p.msPerStepMedian.toFixed(1),
      p.tokensPerSecond.toFixed(0),
      p.mfu === null ? "-" : `${(p.mfu * 100).toFixed(1)}%`,
      p.details.achievedGflops.toFixed(2),
      p.details.peakGflops === null ? "-" : p.details.peakGflops.toFixed(1),
      "1.00x",
    ]);
  }
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i].length)));
  return all.map((l) => l.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
}
