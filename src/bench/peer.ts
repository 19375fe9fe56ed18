/**
 * Running the PyTorch peer (tools/pytorch_peer.py) side by side with the
 * tfjs benchmark, when Debian's PyTorch is installed.
 * @module
 */
import type { PeerResult } from "./results.ts";

/** Debian's interpreter: python3-torch installs into its dist-packages. */
export const PEER_PYTHON = "/usr/bin/python3";
/** The peer script, relative to the repository root. */
export const PEER_SCRIPT = "tools/pytorch_peer.py";

/** The outcome of a peer run: rows, or why there are none. */
export type PeerOutcome = { ok: true; rows: PeerResult[] } | { ok: false; reason: string };

/**
 * Runs the PyTorch peer with `threads` threads for the given activations.
 *
 * @example
 * ```ts
 * const peer = await runPytorchPeer({ threads: 2, activations: ["swiglu"], steps: 20, warmup: 5 });
 * if (peer.ok) console.log(peer.rows[0].msPerStepMedian);
 * ```
 */
export async function runPytorchPeer(options: {
  threads: number;
  activations: readonly string[];
  steps: number;
  warmup: number;
  python?: string;
  script?: string;
}): Promise<PeerOutcome> {
  const python = options.python ?? PEER_PYTHON;
  const args = [
    options.script ?? PEER_SCRIPT,
    "--threads",
    String(options.threads),
    "--steps",
    String(options.steps),
    "--warmup",
    String(options.warmup),
    ...options.activations.flatMap((a) => ["--activation", a]),
  ];
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(python, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    return { ok: false, reason: `${python} could not start: ${error instanceof Error ? error.message : error}` };
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" | ");
    return { ok: false, reason: `${python} ${args[0]} failed: ${stderr}` };
  }
  try {
    return { ok: true, rows: JSON.parse(new TextDecoder().decode(output.stdout)) as PeerResult[] };
  } catch {
    return { ok: false, reason: `${args[0]} printed no JSON` };
  }
}
