/**
 * Progress of a run: a bar on a terminal, plain periodic lines otherwise
 * (CI logs, pipes), both showing tokens/s, loss and ETA.
 * @module
 */
import cliProgress from "cli-progress";

/** What the runner reports after each step. */
export interface ProgressUpdate {
  step: number;
  totalSteps: number;
  tokens: number;
  loss: number;
  tokensPerSecond: number;
}

/** A progress display for one run. */
export interface Progress {
  update(update: ProgressUpdate): void;
  /** Ends the display with a final message. */
  stop(message: string): void;
}

/**
 * Formats seconds as `1h02m`, `3m05s` or `42s`.
 *
 * @example
 * ```ts
 * formatDuration(185); // "3m05s"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s >= 365 * 86400) return `${(s / (365 * 86400)).toPrecision(3)} years`;
  if (s >= 2 * 86400) return `${(s / 86400).toFixed(1)} days`;
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * One status line, as printed in plain mode.
 *
 * @example
 * ```ts
 * progressLine("dense/polynorm s0", { step: 10, totalSteps: 100, tokens: 10240, loss: 3.2, tokensPerSecond: 5000 });
 * ```
 */
export function progressLine(label: string, u: ProgressUpdate): string {
  const eta = u.tokensPerSecond > 0
    ? ((u.totalSteps - u.step) * (u.tokens / Math.max(1, u.step))) / u.tokensPerSecond
    : NaN;
  return `${label} step ${u.step}/${u.totalSteps} tokens ${u.tokens} loss ${u.loss.toFixed(4)} ` +
    `${Math.round(u.tokensPerSecond)} tok/s ETA ${formatDuration(eta)}`;
}

/**
 * Creates the display: a cli-progress bar when stdout is a terminal, else a
 * line every `intervalSeconds` (and at the end).
 *
 * @example
 * ```ts
 * const progress = createProgress("dense/polynorm s0", { quiet: false });
 * progress.update({ step: 1, totalSteps: 10, tokens: 1024, loss: 5.5, tokensPerSecond: 900 });
 * progress.stop("done");
 * ```
 */
export function createProgress(
  label: string,
  options: { quiet?: boolean; intervalSeconds?: number; interactive?: boolean } = {},
): Progress {
  if (options.quiet) return { update: () => {}, stop: () => {} };
  const interactive = options.interactive ?? Deno.stdout.isTerminal();
  if (interactive) {
    const bar = new cliProgress.SingleBar({
      format: `${label} [{bar}] {value}/{total} | loss {loss} | {tps} tok/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 20,
    }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update(u) {
        const payload = { loss: u.loss.toFixed(4), tps: Math.round(u.tokensPerSecond) };
        if (!started) {
          bar.start(u.totalSteps, u.step, payload);
          started = true;
        } else bar.update(u.step, payload);
      },
      stop(message) {
        if (started) bar.stop();
        console.log(`${label} ${message}`);
      },
    };
  }
  const interval = (options.intervalSeconds ?? 15) * 1000;
  let last = 0;
  return {
    update(u) {
      const now = performance.now();
      if (now - last >= interval || u.step === u.totalSteps) {
        last = now;
        console.log(progressLine(label, u));
      }
    },
    stop(message) {
      console.log(`${label} ${message}`);
    },
  };
}
