/**
 * Running the PyTorch peer (tools/pytorch_peer.py) side by side with the
 * tfjs benchmark: eager and `torch.compile`, with the newest PyTorch the
 * machine has (the `.venv` of tools/python_env.sh; Debian's python3-torch
 * only when there is none).
 * @module
 */
import { findPython } from "../util/python.ts";
import type { PeerResult } from "./results.ts";

/** Debian's interpreter: python3-torch installs into its dist-packages. Used only without a venv torch. */
export const PEER_PYTHON = "/usr/bin/python3";
/** The peer script, relative to the repository root. */
export const PEER_SCRIPT = "tools/pytorch_peer.py";
/** How the peer runs the model. */
export type PeerMode = "eager" | "compile";
/** `torch.compile` on 2 cores can take minutes or fail: its run is stopped after this long. */
export const COMPILE_TIMEOUT_MS = 300_000;

/** The outcome of a peer run: rows, or why there are none. */
export type PeerOutcome = { ok: true; rows: PeerResult[] } | { ok: false; reason: string };

/**
 * The interpreter the peer runs on: the first of {@linkcode findPython}'s
 * candidates with torch, else Debian's `/usr/bin/python3` if it has torch.
 *
 * @example
 * ```ts
 * const py = await findPeerPython();
 * console.log(py.ok ? py.python : py.reason);
 * ```
 */
export async function findPeerPython(): Promise<{ ok: true; python: string } | { ok: false; reason: string }> {
  const found = await findPython(["torch"]);
  if (found.ok) return { ok: true, python: found.python };
  try {
    const debian = await new Deno.Command(PEER_PYTHON, { args: ["-c", "import torch"], stdout: "null", stderr: "null" })
      .output();
    if (debian.success) return { ok: true, python: PEER_PYTHON };
  } catch {
    // No Debian Python either.
  }
  return { ok: false, reason: `${found.reason}; ${PEER_PYTHON} has no torch either` };
}

/**
 * Runs the PyTorch peer with `threads` threads for the given activations, in
 * one mode (default eager), stopping it after `timeoutMs`.
 *
 * @example
 * ```ts
 * const peer = await runPytorchPeer({ threads: 2, activations: ["swiglu"], steps: 20, warmup: 5, python: "python3" });
 * if (peer.ok) console.log(peer.rows[0].msPerStepMedian);
 * ```
 */
export async function runPytorchPeer(options: {
  threads: number;
  activations: readonly string[];
  steps: number;
  warmup: number;
  mode?: PeerMode;
  timeoutMs?: number;
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
    "--mode",
    options.mode ?? "eager",
    ...options.activations.flatMap((a) => ["--activation", a]),
  ];
  let output: { success: boolean; stdout: Uint8Array; stderr: Uint8Array } | "timeout";
  try {
    output = await runWithTimeout(python, args, options.timeoutMs);
  } catch (error) {
    return { ok: false, reason: `${python} could not start: ${error instanceof Error ? error.message : error}` };
  }
  if (output === "timeout") return { ok: false, reason: `stopped after ${Math.round(options.timeoutMs! / 1000)} s` };
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" | ");
    return { ok: false, reason: `${python} ${args[0]} failed: ${stderr}` };
  }
  try {
    const rows = JSON.parse(new TextDecoder().decode(output.stdout)) as PeerResult[];
    return { ok: true, rows: rows.map((r) => ({ ...r, mode: r.mode ?? options.mode ?? "eager" })) };
  } catch {
    return { ok: false, reason: `${args[0]} printed no JSON` };
  }
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Runs a command, killing it after `timeoutMs`. Its output is not awaited
 * after a kill: a grandchild (torch.compile's workers) may hold the pipes open.
 */
async function runWithTimeout(
  command: string,
  args: string[],
  timeoutMs: number | undefined,
): Promise<{ success: boolean; stdout: Uint8Array; stderr: Uint8Array } | "timeout"> {
  const child = new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).spawn();
  const stdout = readAll(child.stdout), stderr = readAll(child.stderr);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    if (timeoutMs !== undefined) timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const status = await Promise.race([child.status, timedOut]);
  clearTimeout(timer);
  if (status === "timeout") {
    try {
      child.kill("SIGKILL");
    } catch {
      // It ended meanwhile.
    }
    stdout.catch(() => {});
    stderr.catch(() => {});
    return "timeout";
  }
  return { success: status.success, stdout: await stdout, stderr: await stderr };
}

/** Every peer row that ran, and a note for each mode that did not. */
export interface PeerRuns {
  rows: PeerResult[];
  notes: string[];
}

/**
 * Runs the peer eager, then compiled (time-boxed by `compileTimeoutMs`); a
 * mode that fails becomes a note, never an error.
 *
 * @example
 * ```ts
 * const { rows, notes } = await runPytorchPeers({ threads: 2, activations: ["swiglu"], steps: 20, warmup: 5 });
 * ```
 */
export async function runPytorchPeers(options: {
  threads: number;
  activations: readonly string[];
  steps: number;
  warmup: number;
  modes?: readonly PeerMode[];
  compileTimeoutMs?: number;
}): Promise<PeerRuns> {
  const python = await findPeerPython();
  if (!python.ok) return { rows: [], notes: [`pytorch: skipped (${python.reason})`] };
  const rows: PeerResult[] = [], notes: string[] = [];
  for (const mode of options.modes ?? ["eager", "compile"]) {
    const outcome = await runPytorchPeer({
      ...options,
      mode,
      python: python.python,
      timeoutMs: mode === "compile" ? options.compileTimeoutMs ?? COMPILE_TIMEOUT_MS : undefined,
    });
    if (outcome.ok) rows.push(...outcome.rows);
    else notes.push(`pytorch-${mode}: no row (${outcome.reason})`);
  }
  return { rows, notes };
}
