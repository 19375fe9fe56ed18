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
  /** `eager` or `compile` (`torch.compile`); older peer scripts omit it (eager). */
  mode?: "eager" | "compile";
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
 * import type { TrainBenchResult } from "./harness.ts";
 * declare const results: TrainBenchResult[];
 * declare const peers: PeerResult[];
 * const rows = withPeerRatios(results, peers);
 * ```
 */
export function withPeerRatios(rows: TrainBenchResult[], peers: PeerResult[]): TrainBenchResult[] {
  return rows.map((row) => {
    const same = peers.filter((p) => p.name === row.name && p.activation === row.activation);
    if (same.length === 0) return row;
    const ratio = (p: PeerResult) => Math.round(row.msPerStepMedian / p.msPerStepMedian * 1000) / 1000;
    const eager = same.find((p) => (p.mode ?? "eager") === "eager") ?? same[0];
    return {
      ...row,
      details: {
        ...row.details,
        pytorchMsPerStep: eager.msPerStepMedian,
        ratioToPytorch: ratio(eager),
        peerRatios: same.map((p) => ({ peer: peerBackend(p), msPerStep: p.msPerStepMedian, ratio: ratio(p) })),
      },
    };
  });
}

/** The backend column of a peer row: `pytorch-eager` or `pytorch-compile`. */
export function peerBackend(peer: Pick<PeerResult, "mode">): string {
  return `pytorch-${peer.mode ?? "eager"}`;
}

/**
 * A PyTorch peer's row as `results/bench/latest.json` stores it, beside the
 * tfjs rows: `backend` is `pytorch-eager` or `pytorch-compile` and
 * `details.peer` is `true`, so no reader mistakes it for a tfjs backend.
 */
export interface PeerBenchEntry {
  name: string;
  backend: string;
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
    mode: "eager" | "compile";
    /**
     * False when the peer's 2048² matmul is below half of the best native
     * GEMM measured in the same run: its BLAS is crippled, the comparison unfair.
     * `null` when either rate is unknown.
     */
    fair: boolean | null;
  };
}

/** A peer whose matmul is below this fraction of the run's best native GEMM is not a fair comparison. */
export const FAIR_PEER_FRACTION = 0.5;

/**
 * Turns peer rows into result-file entries, with MFU measured the same way as
 * the tfjs rows' (model FLOPs per second over the peer's best matmul rate).
 * `modelFlopsPerStep` gives the model FLOPs of one step per activation.
 *
 * @example
 * ```ts
 * declare const peers: PeerResult[];
 * const entries = peerBenchEntries(peers, (activation) => 11.7e9);
 * ```
 */
export function peerBenchEntries(
  peers: readonly PeerResult[],
  modelFlopsPerStep: (activation: string) => number,
  bestNativeGflops: number | null = null,
): PeerBenchEntry[] {
  return peers.map((p) => {
    const flops = modelFlopsPerStep(p.activation);
    const achievedGflops = flops / (p.msPerStepMedian / 1000) / 1e9;
    const peak = p.env.matmul2048GFlops;
    const peakGflops = typeof peak === "number" && peak > 0 ? peak : null;
    return {
      name: p.name,
      backend: peerBackend(p),
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
        mode: p.mode ?? "eager",
        fair: peakGflops === null || bestNativeGflops === null
          ? null
          : peakGflops >= FAIR_PEER_FRACTION * bestNativeGflops,
      },
    };
  });
}

/**
 * Writes the rows (atomically) as a JSON list.
 *
 * @example
 * ```ts
 * import type { TrainBenchResult } from "./harness.ts";
 * declare const rows: TrainBenchResult[];
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
 * A plain-text table of results, one line per row: ms/step (median, min),
 * tokens/s, achieved GFLOP/s, % of the machine's GEMM peak, GEMM share of
 * kernel time, kernel calls per step and the ratio to each peer; then the
 * peer rows, flagged when not a fair comparison, and `notes`.
 *
 * @example
 * ```ts
 * import type { TrainBenchResult } from "./harness.ts";
 * declare const rows: TrainBenchResult[];
 * console.log(formatBenchTable(rows));
 * ```
 */
export function formatBenchTable(
  rows: readonly TrainBenchResult[],
  peers: readonly PeerBenchEntry[] = [],
  notes: readonly string[] = [],
): string {
  const peerNames = [...new Set(peers.map((p) => p.backend))];
  const header = [
    "backend",
    "gemm",
    "activation",
    "ms/step",
    "min",
    "tokens/s",
    "GFLOP/s",
    "% peak",
    "GEMM share",
    "kernels/step",
    ...peerNames.map((n) => `vs ${n}`),
  ];
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const lines = rows.map((r) => {
    const ratios = (r.details as { peerRatios?: { peer: string; ratio: number }[] }).peerRatios ?? [];
    const d = r.details as Partial<TrainBenchResult["details"]>;
    return [
      r.backend,
      d.gemm ?? "-",
      r.activation,
      r.msPerStepMedian.toFixed(1),
      r.details.msPerStepMin.toFixed(1),
      r.tokensPerSecond.toFixed(0),
      r.details.achievedGflops.toFixed(2),
      pct(r.mfu),
      d.profile ? pct(d.profile.gemmShare) : "-",
      d.profile ? String(d.profile.kernelCalls) : "-",
      ...peerNames.map((n) => {
        const x = ratios.find((p) => p.peer === n);
        return x ? `${x.ratio.toFixed(2)}x` : "-";
      }),
    ];
  });
  for (const p of peers) {
    lines.push([
      p.backend,
      String(p.env.blas ?? "-"),
      p.activation,
      p.msPerStepMedian.toFixed(1),
      p.details.msPerStepMin?.toFixed(1) ?? "-",
      p.tokensPerSecond.toFixed(0),
      p.details.achievedGflops.toFixed(2),
      p.mfu === null ? "-" : pct(p.mfu),
      "-",
      "-",
      ...peerNames.map((n) => (n === p.backend ? "1.00x" : "-")),
    ]);
  }
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i].length)));
  const table = all.map((l) => l.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  const seen = new Set<string>();
  for (const p of peers) {
    if (seen.has(p.backend)) continue;
    seen.add(p.backend);
    const matmul = p.details.peakGflops === null ? "unknown" : `${p.details.peakGflops.toFixed(1)} GFLOP/s`;
    const flag = p.details.fair === false ? " — NOT A FAIR COMPARISON (matmul below half the native GEMM peak)" : "";
    table.push(
      `${p.backend}: torch ${p.env.torch ?? "?"}, BLAS ${p.env.blas ?? "?"}, ${p.env.threads ?? "?"} threads, ` +
        `2048² matmul ${matmul}${flag}`,
    );
  }
  return [...table, ...notes].join("\n");
}
